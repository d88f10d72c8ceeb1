/**
 * `text` with every server path under one of `paths` (the path itself or anything below it)
 * replaced by what it is, in words: job errors are read by users, who must not learn where the
 * server keeps its data. Longer paths are replaced first, so the most precise words win.
 */
export function withoutPaths(text: string, paths: Record<string, string>): string {
  let out = text
  for (const path of Object.keys(paths).sort((a, b) => b.length - a.length)) {
    if (!path) continue
    const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    out = out.replace(new RegExp(`${escaped}[^\\s"'\`]*`, 'g'), paths[path]!)
  }
  return out
}
