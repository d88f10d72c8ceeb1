import type { SqlErrorInfo } from '../../query/sql-error-info.ts'

/** Suggestions of the engine's own catalog tables help nobody looking for their table. */
const SYSTEM_SUGGESTION = /^Did you mean "(pg_|duckdb_|sqlite_|information_schema|system\.|temp\.)/

/**
 * Splits DuckDB error text into the message and the line and column its caret points at:
 *
 *     Parser Error: syntax error at or near "FROMM"
 *
 *     LINE 2: FROMM people
 *             ^
 *
 * `sql` is the user's SQL; when the engine ran it inside a wrapper whose first line starts with
 * `wrapPrefix` (e.g. 'COPY ('), positions are moved back into the user's SQL, and dropped when
 * they point into the wrapper. DuckDB shortens long lines with '...', so the column is found
 * by locating the shown text in `sql`; without `sql` such a column is left out.
 */
export function parseSqlError(text: string, sql?: string, wrapPrefix = ''): SqlErrorInfo {
  const lines = unwrap(text).split('\n')
  const at = lines.findIndex((l, i) => /^LINE \d+: /.test(l) && /^ *\^\s*$/.test(lines[i + 1] ?? ''))
  const head = at < 0 ? lines : lines.slice(0, at)
  // DuckDB's advice (SET threads, SET memory_limit, ...) names settings a tenant cannot change.
  const advice = head.findIndex((l) => /^(Possible solutions:|See also )/.test(l.trim()))
  const messageLines = (advice < 0 ? head : head.slice(0, advice))
    .map((l) => l.trim())
    .filter((l) => l !== '' && !SYSTEM_SUGGESTION.test(l))
  const message = messageLines.join(' ')
  const kind = /^([A-Za-z][A-Za-z ]*?) Error: /.exec(message)?.[1] ?? ''
  const position = at < 0 ? undefined : locate(lines[at] ?? '', lines[at + 1] ?? '', sql, wrapPrefix)
  return { kind, message, ...position }
}

function unwrap(text: string): string {
  let t = text.trim()
  if (t.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(t)
      if (parsed && typeof parsed === 'object' && 'exception_message' in parsed) {
        const type = 'exception_type' in parsed ? String(parsed.exception_type) : ''
        t = `${type ? `${type} Error: ` : ''}${String(parsed.exception_message)}`
      }
    } catch {
      // Not JSON after all: keep the text as it is.
    }
  }
  return t.replace(/^Failed to extract statements: /, '')
}

function locate(lineText: string, caretText: string, sql: string | undefined, wrapPrefix: string) {
  const head = /^LINE (\d+): /.exec(lineText)
  if (!head?.[1]) return undefined
  const line = Number(head[1])
  const shown = Array.from(lineText.slice(head[0].length))
  let index = indexAtWidth(shown, caretText.indexOf('^') - head[0].length)

  const userLines = sql?.split('\n')
  if (userLines && line > userLines.length) return undefined
  const executedLine = userLines ? (line === 1 ? wrapPrefix : '') + (userLines[line - 1] ?? '') : undefined
  if (shown.slice(0, 3).join('') === '...') {
    if (executedLine === undefined) return { line }
    const core = shown.slice(3, shown.slice(-3).join('') === '...' ? -3 : undefined).join('')
    const found = executedLine.indexOf(core)
    if (found < 0) return { line }
    index = Array.from(executedLine.slice(0, found)).length + index - 3
  }
  if (line === 1) index -= Array.from(wrapPrefix).length
  if (index < 0) return undefined
  return { line, column: index + 1 }
}

/** The character under display column `width`: DuckDB pads the caret by display width. */
function indexAtWidth(chars: string[], width: number): number {
  let acc = 0
  for (let i = 0; i < chars.length; i++) {
    const w = displayWidth(chars[i]?.codePointAt(0) ?? 0)
    if (acc >= width && w > 0) return i
    acc += w
  }
  return chars.length
}

function displayWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f)) return 0
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  return wide ? 2 : 1
}
