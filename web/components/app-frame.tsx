'use client'

import { BookOpen, Database, LogIn, LogOut, TerminalSquare, UploadCloud, Workflow } from 'lucide-react'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import type { ReactNode } from 'react'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { Skeleton } from '@/components/ui/skeleton'
import { useSession, type Session } from '@/lib/auth'
import { cn } from '@/lib/utils'

const NAV = [
  { href: '/', label: 'Data', icon: UploadCloud, match: (p: string) => p === '/' || p.startsWith('/files') },
  { href: '/query/', label: 'Query', icon: TerminalSquare, match: (p: string) => p.startsWith('/query') },
  { href: '/jobs/', label: 'Jobs', icon: Workflow, match: (p: string) => p.startsWith('/jobs') },
]

/** The app around every page: navigation, who is signed in, and the sign-in gate. */
export function AppFrame({ children }: { children: ReactNode }) {
  const session = useSession()
  const pathname = usePathname() ?? '/'
  return (
    <div className="flex min-h-screen">
      <aside className="w-14 shrink-0 border-r bg-muted/30 xl:w-52">
        <div className="sticky top-0 flex h-screen flex-col px-2 py-4 xl:px-3">
        <Link href="/" className="mb-6 flex items-center gap-2 px-2 text-lg font-semibold tracking-tight">
          <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
            <Database className="size-4" aria-hidden />
          </span>
          <span className="hidden xl:inline">csvlake</span>
        </Link>
        <nav aria-label="Main" className="flex flex-col gap-1">
          {NAV.map(({ href, label, icon: Icon, match }) => (
            <Link
              key={href}
              href={href}
              aria-current={match(pathname) ? 'page' : undefined}
              aria-label={label}
              title={label}
              className={cn(
                'flex items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium text-muted-foreground outline-none transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50',
                match(pathname) && 'bg-accent text-accent-foreground',
              )}
            >
              <Icon className="size-4 shrink-0" aria-hidden />
              <span className="hidden xl:inline">{label}</span>
            </Link>
          ))}
        </nav>
        <div className="mt-auto flex flex-col gap-2">
          <a href="/api/docs" title="API docs" className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-muted-foreground hover:bg-accent hover:text-accent-foreground">
            <BookOpen className="size-4 shrink-0" aria-hidden />
            <span className="hidden xl:inline">API docs</span>
          </a>
          <UserMenu session={session} />
        </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1">
        <Gate session={session}>{children}</Gate>
      </main>
    </div>
  )
}

function UserMenu({ session }: { session: Session }) {
  if (session.status !== 'ready') return null
  if (!session.user) {
    return (
      <div className="hidden items-center justify-between px-2 text-xs text-muted-foreground xl:flex">
        <span>Local user</span>
        <Badge variant="outline">{session.config.mode}</Badge>
      </div>
    )
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="w-full justify-start gap-2 px-2" aria-label={`Signed in as ${session.user.name}`}>
          <span className="flex size-6 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold text-primary">
            {session.user.name.slice(0, 1).toUpperCase()}
          </span>
          <span className="hidden truncate xl:inline">{session.user.name}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" side="top" className="w-56">
        <DropdownMenuLabel className="flex flex-col">
          <span>{session.user.name}</span>
          {session.user.email && <span className="text-xs font-normal text-muted-foreground">{session.user.email}</span>}
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => session.signOut?.()}>
          <LogOut aria-hidden />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  )
}

function Gate({ session, children }: { session: Session; children: ReactNode }) {
  if (session.status === 'ready') return <>{children}</>
  if (session.status === 'loading') {
    return (
      <div className="space-y-4 p-8" aria-busy="true" aria-label="Loading">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-40 w-full max-w-3xl" />
      </div>
    )
  }
  if (session.status === 'error') {
    return (
      <div className="p-8">
        <Alert variant="destructive" className="max-w-xl">
          <AlertTitle>csvlake could not start</AlertTitle>
          <AlertDescription>{session.message}</AlertDescription>
        </Alert>
      </div>
    )
  }
  return (
    <div className="flex min-h-[70vh] items-center justify-center p-8">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle>Sign in to csvlake</CardTitle>
          <CardDescription>Your files, tables and queries are yours alone: sign in to see them.</CardDescription>
        </CardHeader>
        <CardContent>
          <Button className="w-full" onClick={session.signIn}>
            <LogIn aria-hidden />
            Sign in
          </Button>
        </CardContent>
      </Card>
    </div>
  )
}

/** A page's title row. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-4 border-b px-8 py-5">
      <div>
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1 text-sm text-muted-foreground">{description}</p>}
      </div>
      {actions && <div className="flex items-center gap-2">{actions}</div>}
    </div>
  )
}
