// What the browser remembers for the user: the last SQL they ran, to open the console with it.
// The history itself is the server's (GET /api/queries), the same in every browser.

export const lastSqlKey = (user: string) => `csvlake:last-sql:${user}`
/** Where earlier versions kept a history in this browser: its newest SQL still opens the console. */
const oldHistoryKey = (user: string) => `csvlake:history:${user}`

export function readLastSql(user: string): string {
  try {
    const last = window.localStorage.getItem(lastSqlKey(user))
    if (last !== null) return last
    const old = JSON.parse(window.localStorage.getItem(oldHistoryKey(user)) ?? '[]') as unknown
    return Array.isArray(old) && typeof old[0]?.sql === 'string' ? (old[0].sql as string) : ''
  } catch {
    return ''
  }
}

export function rememberSql(user: string, sql: string) {
  try {
    window.localStorage.setItem(lastSqlKey(user), sql)
  } catch {
    // storage full or off: a convenience, not data
  }
}
