import { afterEach, describe, expect, it } from 'vitest'
import { addHistory, clearHistory, historyKey, readHistory, type HistoryEntry } from './local-history'

const entry = (sql: string, at = '2026-11-27T12:00:00Z', extra: Partial<HistoryEntry> = {}): HistoryEntry => ({ sql, at, status: 'SUCCEEDED', ...extra })

afterEach(() => window.localStorage.clear())

describe('local history', () => {
  it('reads an empty history when nothing was stored', () => {
    expect(readHistory('ann')).toEqual([])
  })

  it('adds runs newest first and reads them back', () => {
    addHistory('ann', entry('SELECT 1', '2026-11-27T12:00:00Z', { rowCount: 1, elapsedMs: 12 }))
    addHistory('ann', entry('SELECT 2', '2026-11-27T12:01:00Z'))
    expect(readHistory('ann').map((e) => e.sql)).toEqual(['SELECT 2', 'SELECT 1'])
    expect(readHistory('ann')[1]).toEqual(entry('SELECT 1', '2026-11-27T12:00:00Z', { rowCount: 1, elapsedMs: 12 }))
  })

  it('keeps each user apart', () => {
    addHistory('ann', entry('SELECT 1'))
    expect(readHistory('bob')).toEqual([])
  })

  it('moves the same SQL run again to the top instead of listing it twice', () => {
    addHistory('ann', entry('SELECT 1', '2026-11-27T12:00:00Z'))
    addHistory('ann', entry('SELECT 2', '2026-11-27T12:01:00Z'))
    addHistory('ann', entry('SELECT 1', '2026-11-27T12:02:00Z', { status: 'FAILED' }))
    const history = readHistory('ann')
    expect(history.map((e) => e.sql)).toEqual(['SELECT 1', 'SELECT 2'])
    expect(history[0]).toMatchObject({ at: '2026-11-27T12:02:00Z', status: 'FAILED' })
  })

  it('keeps at most 100 entries, dropping the oldest', () => {
    for (let i = 0; i < 130; i++) addHistory('ann', entry(`SELECT ${i}`))
    const history = readHistory('ann')
    expect(history).toHaveLength(100)
    expect(history[0]?.sql).toBe('SELECT 129')
    expect(history.at(-1)?.sql).toBe('SELECT 30')
  })

  it('clears the history', () => {
    addHistory('ann', entry('SELECT 1'))
    clearHistory('ann')
    expect(readHistory('ann')).toEqual([])
  })

  it('reads broken JSON, or JSON that is not a list, as an empty history', () => {
    window.localStorage.setItem(historyKey('ann'), '{not json')
    expect(readHistory('ann')).toEqual([])
    window.localStorage.setItem(historyKey('ann'), '{"sql":"SELECT 1"}')
    expect(readHistory('ann')).toEqual([])
    addHistory('ann', entry('SELECT 1'))
    expect(readHistory('ann').map((e) => e.sql)).toEqual(['SELECT 1'])
  })

  it('tells other listeners in the page that the history changed', () => {
    const keys: (string | null)[] = []
    const listener = (e: StorageEvent) => keys.push(e.key)
    window.addEventListener('storage', listener)
    try {
      addHistory('ann', entry('SELECT 1'))
    } finally {
      window.removeEventListener('storage', listener)
    }
    expect(keys).toEqual([historyKey('ann')])
  })
})
