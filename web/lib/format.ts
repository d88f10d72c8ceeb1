const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** 1536 -> "1.5 KB" (powers of 1024, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

/** 850 -> "850 ms", 12_300 -> "12.3 s", 125_000 -> "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** "just now", "5 min ago", or the date for anything older than a day. */
export function formatWhen(iso: string, now = Date.now()): string {
  const at = Date.parse(iso)
  const ago = now - at
  if (ago < 45_000) return 'just now'
  if (ago < 3_600_000) return `${Math.round(ago / 60_000)} min ago`
  if (ago < 86_400_000) return `${Math.round(ago / 3_600_000)} h ago`
  return new Date(at).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric' })
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

export function delimiterName(delimiter: string): string {
  return DELIMITER_NAMES[delimiter] ?? JSON.stringify(delimiter)
}

/** A cell as text for the grid: null stays null (the grid shows it as NULL). */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
