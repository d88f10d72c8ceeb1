'use client'

import { useCallback, useEffect, useRef, useState } from 'react'

export type Pages<T> = {
  /** Every item loaded so far, the first page first. */
  items: T[] | undefined
  /** Why the first page could not be loaded. */
  error: Error | undefined
  /** The first page is (re)loading. */
  loading: boolean
  /** The API said there are more items. */
  more: boolean
  loadingMore: boolean
  /** Why the last "load more" failed (what was loaded stays). */
  moreError: string | undefined
  loadMore: () => void
  /** Back to the first page (after an upload or a delete). */
  reload: () => void
}

/**
 * A list the API answers a page at a time (`nextToken`): the first page on mount (again when
 * `key` changes or on reload()), the next ones appended on loadMore(); the last request wins.
 */
export function usePages<T>(load: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>, key: unknown[]): Pages<T> {
  const [items, setItems] = useState<T[]>()
  const [error, setError] = useState<Error>()
  const [loading, setLoading] = useState(true)
  const [nextToken, setNextToken] = useState<string>()
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreError, setMoreError] = useState<string>()
  const [generation, setGeneration] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  /** Bumped by every first-page load, so a late next page of an older list is dropped. */
  const listRef = useRef(0)

  useEffect(() => {
    const list = ++listRef.current
    setLoading(true)
    setMoreError(undefined)
    loadRef
      .current()
      .then((page) => {
        if (list !== listRef.current) return
        setItems(page.items)
        setNextToken(page.nextToken)
        setError(undefined)
      })
      .catch((e: unknown) => list === listRef.current && setError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => list === listRef.current && setLoading(false))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, generation])

  const loadMore = useCallback(() => {
    if (!nextToken || loadingMore) return
    const list = listRef.current
    setLoadingMore(true)
    setMoreError(undefined)
    loadRef
      .current(nextToken)
      .then((page) => {
        if (list !== listRef.current) return
        setItems((before) => [...(before ?? []), ...page.items])
        setNextToken(page.nextToken)
      })
      .catch((e: unknown) => list === listRef.current && setMoreError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoadingMore(false))
  }, [nextToken, loadingMore])

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  return { items, error, loading, more: nextToken !== undefined, loadingMore, moreError, loadMore, reload }
}
