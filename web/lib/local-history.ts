import { useSyncExternalStore } from 'react'

// What the browser remembers for the user: the queries they ran.
// Kept in localStorage, per signed-in user, newest first, bounded.

export type HistoryEntry = { sql: string; at: string; status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; rowCount?: number; elapsedMs?: number }

const MAX_HISTORY = 100

function read<T>(key: string): T[] {
  try {
    const value = JSON.parse(window.localStorage.getItem(key) ?? '[]') as unknown
    return Array.isArray(value) ? (value as T[]) : []
  } catch {
    return []
  }
}

function write<T>(key: string, items: T[]) {
  try {
    window.localStorage.setItem(key, JSON.stringify(items))
    window.dispatchEvent(new StorageEvent('storage', { key }))
  } catch {
    // storage full or off: history is a convenience, not data
  }
}

export const historyKey = (user: string) => `csvlake:history:${user}`

export function readHistory(user: string): HistoryEntry[] {
  return read<HistoryEntry>(historyKey(user))
}

/** Adds a run; the same SQL run again moves to the top instead of appearing twice. */
export function addHistory(user: string, entry: HistoryEntry) {
  const rest = readHistory(user).filter((e) => e.sql !== entry.sql)
  write(historyKey(user), [entry, ...rest].slice(0, MAX_HISTORY))
}

export function clearHistory(user: string) {
  write(historyKey(user), [])
}

/** The raw stored value of `key`, re-read whenever this or another tab changes it. */
export function useStoredValue(key: string): string {
  return useSyncExternalStore(
    (notify) => {
      window.addEventListener('storage', notify)
      return () => window.removeEventListener('storage', notify)
    },
    () => window.localStorage.getItem(key) ?? '[]',
    () => '[]',
  )
}
