'use client'

import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, type Api, type QueryResult } from '@/lib/api/client'

export type RunState =
  | { status: 'idle' }
  | { status: 'running'; sql: string; startedAt: number; queryId?: string }
  | { status: 'succeeded'; sql: string; result: QueryResult; pages: (string | undefined)[]; paging: boolean }
  | { status: 'failed'; sql: string; message: string; line?: number; column?: number }
  | { status: 'cancelled'; sql: string }

export type Ended = Exclude<RunState, { status: 'idle' } | { status: 'running' }>

const FIRST_WAIT_MS = 1000
const POLL_MS = 400

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs SQL through the API the way a console should: quick queries answer at once; long ones go
 * async and are polled until they end; cancel works at any moment (even before the query has an
 * id); pages of the result are fetched with nextToken, and earlier pages with the tokens kept.
 * `execute(sql, { reuse: false })` runs it even when an identical earlier run could answer.
 */
export function useQueryRunner(api: Api, onEnded?: (ended: Ended) => void) {
  const [state, setState] = useState<RunState>({ status: 'idle' })
  const run = useRef(0)
  const cancelRequested = useRef(false)
  const queryId = useRef<string | undefined>(undefined)
  const ended = useRef(onEnded)
  ended.current = onEnded

  const finish = useCallback((generation: number, next: Ended) => {
    if (generation !== run.current) return
    setState(next)
    ended.current?.(next)
  }, [])

  const execute = useCallback(
    async (sql: string, options: { reuse?: boolean } = {}) => {
      const generation = ++run.current
      cancelRequested.current = false
      queryId.current = undefined
      setState({ status: 'running', sql, startedAt: Date.now() })
      try {
        let result = await api.runQuery({ sql, waitMs: FIRST_WAIT_MS, ...(options.reuse === false ? { reuse: false } : {}) })
        queryId.current = result.queryId
        if (generation !== run.current) return
        setState((s) => (s.status === 'running' ? { ...s, queryId: result.queryId } : s))
        if (cancelRequested.current && result.status === 'RUNNING') result = await api.cancelQuery(result.queryId)
        while (result.status === 'RUNNING') {
          await sleep(POLL_MS)
          if (generation !== run.current) return
          result = await api.query(result.queryId)
        }
        if (result.status === 'SUCCEEDED') finish(generation, { status: 'succeeded', sql, result, pages: [undefined], paging: false })
        else if (result.status === 'CANCELLED') finish(generation, { status: 'cancelled', sql })
        else finish(generation, { status: 'failed', sql, message: result.error?.message ?? 'The query failed', line: result.error?.line, column: result.error?.column })
      } catch (error) {
        if (error instanceof ApiError) finish(generation, { status: 'failed', sql, message: error.message, line: error.line, column: error.column })
        else finish(generation, { status: 'failed', sql, message: error instanceof Error ? error.message : String(error) })
      }
    },
    [api, finish],
  )

  const cancel = useCallback(async () => {
    cancelRequested.current = true
    const id = queryId.current
    if (id) await api.cancelQuery(id).catch(() => undefined)
  }, [api])

  /** Moves to the page `delta` away (+1 next, -1 previous). */
  const page = useCallback(
    async (delta: 1 | -1) => {
      if (state.status !== 'succeeded') return
      const pages = delta === 1 ? [...state.pages, state.result.nextToken] : state.pages.slice(0, -1)
      if (pages.length === 0 || (delta === 1 && !state.result.nextToken)) return
      const generation = run.current
      setState({ ...state, paging: true })
      try {
        const result = await api.query(state.result.queryId, pages.at(-1))
        // A new run started meanwhile: this page belongs to a result no longer shown.
        if (generation === run.current) setState({ status: 'succeeded', sql: state.sql, result, pages, paging: false })
      } catch (error) {
        if (generation === run.current) setState({ status: 'failed', sql: state.sql, message: error instanceof Error ? error.message : String(error) })
      }
    },
    [api, state],
  )

  useEffect(
    () => () => {
      run.current++
    },
    [],
  )

  return { state, execute, cancel, page }
}
