import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { AppFrame } from '@/components/app-frame'
import { Toaster } from '@/components/ui/sonner'
import { TooltipProvider } from '@/components/ui/tooltip'
import { SessionProvider } from '@/lib/auth'
import './globals.css'

export const metadata: Metadata = {
  title: 'csvlake',
  description: 'Upload CSV files, check them, catalog them and query them with SQL.',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="antialiased">
        <SessionProvider>
          <TooltipProvider delayDuration={300}>
            <AppFrame>{children}</AppFrame>
          </TooltipProvider>
        </SessionProvider>
        <Toaster position="bottom-right" richColors closeButton />
      </body>
    </html>
  )
}
