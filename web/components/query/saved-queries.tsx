'use client'

import { Bookmark, Pencil, Trash2 } from 'lucide-react'
import { useState, type FormEvent } from 'react'
import { ConfirmDialog } from '@/components/confirm-dialog'
import { EmptyState } from '@/components/empty-state'
import { LoadMore } from '@/components/load-more'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import type { Api, SavedQuery } from '@/lib/api/client'
import { usePages } from '@/lib/api/use-pages'
import type { ChartSettings } from '@/lib/chart-data'

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * The tenant's saved queries, kept on the server (so in any browser): save the SQL in the editor
 * (and the chart shown, if any) under a name, open one (its SQL goes to the editor), rename it in place, delete it after asking.
 */
export function SavedQueries({ api, sql, chart, onOpen }: { api: Api; sql: string; chart?: ChartSettings | undefined; onOpen: (saved: SavedQuery) => void }) {
  const list = usePages(async (token) => {
    const page = await api.savedQueries(token)
    return { items: page.savedQueries, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }, [api])
  const [name, setName] = useState('')
  const [saving, setSaving] = useState(false)
  const [problem, setProblem] = useState<string>()
  const [renaming, setRenaming] = useState<string>()
  const [deleting, setDeleting] = useState<SavedQuery>()

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setSaving(true)
    setProblem(undefined)
    try {
      await api.saveQuery({ name, sql, ...(chart ? { chart } : {}) })
      setName('')
      list.reload()
    } catch (err) {
      setProblem(message(err))
    } finally {
      setSaving(false)
    }
  }

  const rename = async (saved: SavedQuery, to: string) => {
    setProblem(undefined)
    try {
      if (to.trim() && to.trim() !== saved.name) await api.updateSavedQuery(saved.savedQueryId, { name: to })
      setRenaming(undefined)
      list.reload()
    } catch (err) {
      setProblem(message(err))
    }
  }

  return (
    <div className="space-y-3">
      <form onSubmit={save} className="space-y-2" aria-label="Save the query">
        <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="Name of the SQL in the editor" aria-label="Name" maxLength={200} />
        <Button type="submit" size="sm" className="w-full" disabled={saving || !name.trim() || !sql.trim()}>
          <Bookmark aria-hidden />
          {saving ? 'Saving…' : 'Save query'}
        </Button>
      </form>
      {problem && (
        <p role="alert" className="text-sm text-destructive">
          {problem}
        </p>
      )}
      {list.error && (
        <p role="alert" className="text-sm text-destructive">
          The saved queries could not be loaded: {list.error.message}
        </p>
      )}
      {list.items?.length === 0 && (
        <EmptyState icon={Bookmark} title="No saved queries" className="px-3 py-6">
          Name the SQL in the editor and save it: it is kept for your account, in any browser.
        </EmptyState>
      )}
      {list.items && list.items.length > 0 && (
        <ul className="space-y-1" aria-label="Saved queries">
          {list.items.map((saved) => (
            <li key={saved.savedQueryId} className="group flex items-start gap-1">
              {renaming === saved.savedQueryId ? (
                <Input
                  autoFocus
                  defaultValue={saved.name}
                  aria-label={`New name for ${saved.name}`}
                  maxLength={200}
                  className="h-8"
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') void rename(saved, e.currentTarget.value)
                    if (e.key === 'Escape') setRenaming(undefined)
                  }}
                  onBlur={(e) => void rename(saved, e.currentTarget.value)}
                />
              ) : (
                <button
                  type="button"
                  onClick={() => onOpen(saved)}
                  className="min-w-0 flex-1 rounded-md px-2 py-1.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
                  title={saved.sql}
                >
                  <span className="block truncate text-sm font-medium">{saved.name}</span>
                  <span className="line-clamp-2 font-mono text-[11px] text-muted-foreground">{saved.description ?? saved.sql}</span>
                </button>
              )}
              <Button variant="ghost" size="icon" className="size-7 shrink-0" aria-label={`Rename ${saved.name}`} onClick={() => setRenaming(saved.savedQueryId)}>
                <Pencil aria-hidden />
              </Button>
              <Button variant="ghost" size="icon" className="size-7 shrink-0" aria-label={`Delete ${saved.name}`} onClick={() => setDeleting(saved)}>
                <Trash2 aria-hidden />
              </Button>
            </li>
          ))}
        </ul>
      )}
      {list.more && <LoadMore more={{ onLoadMore: list.loadMore, loading: list.loadingMore, ...(list.moreError ? { error: list.moreError } : {}) }} />}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete"
        onOpenChange={(open) => !open && setDeleting(undefined)}
        onConfirm={async () => {
          if (!deleting) return
          try {
            await api.deleteSavedQuery(deleting.savedQueryId)
          } catch (err) {
            setProblem(message(err))
          }
          list.reload()
        }}
      >
        The saved query goes for good, in every browser. Queries you ran with it stay in the history.
      </ConfirmDialog>
    </div>
  )
}
