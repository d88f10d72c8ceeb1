'use client'

import { useCallback, useEffect, useRef, useState } from 'react'

export type Resource<T> = {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
}

/** Loads something from the API, again when `key` changes or on reload(); the last answer wins. */
export function useResource<T>(load: () => Promise<T>, key: unknown[]): Resource<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<Error>()
  const [loading, setLoading] = useState(true)
  const [generation, setGeneration] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    let current = true
    setLoading(true)
    loadRef
      .current()
      .then((value) => {
        if (!current) return
        setData(value)
        setError(undefined)
      })
      .catch((e: unknown) => current && setError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => current && setLoading(false))
    return () => {
      current = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, generation])

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  return { data, error, loading, reload }
}
