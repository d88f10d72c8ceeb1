/**
 * A DuckDB error without what only its developers need: the "Possible fixes" that name reader
 * options csvlake sets itself, the list of options with the file's path, and the SQL text.
 */
export function plainDuckDbMessage(text: string): string {
  const cut = /\n(?:Possible fixes:|\s*file = |LINE \d+:)/.exec(text)
  return (cut ? text.slice(0, cut.index) : text).trim()
}
