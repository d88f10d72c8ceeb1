import { Button } from '@/components/ui/button'

export type More = { onLoadMore: () => void; loading: boolean; error?: string }

/** Below a list the API answers a page at a time: the next page on demand, and why it failed. */
export function LoadMore({ more }: { more: More }) {
  return (
    <div data-slot="load-more" className="flex flex-col items-center gap-2 pt-4">
      {more.error && (
        <p role="alert" className="text-sm text-destructive">
          {more.error}
        </p>
      )}
      <Button variant="outline" size="sm" disabled={more.loading} onClick={more.onLoadMore}>
        {more.loading ? 'Loading more…' : 'Load more'}
      </Button>
    </div>
  )
}
