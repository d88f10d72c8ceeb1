import type { Column } from '@/lib/api/client'

/** How two versions of a table differ: columns added, removed or retyped, and the rows. */
export type VersionDiff = {
  added: Column[]
  removed: Column[]
  retyped: { name: string; from: string; to: string }[]
  rows: { from: number; to: number }
}

type Side = { columns: Column[]; rowCount: number }

/** What changed from `from` to `to`, columns matched by name (case-insensitive, as SQL matches them). */
export function versionDiff(from: Side, to: Side): VersionDiff {
  const before = new Map(from.columns.map((c) => [c.name.toLowerCase(), c]))
  const after = new Map(to.columns.map((c) => [c.name.toLowerCase(), c]))
  return {
    added: to.columns.filter((c) => !before.has(c.name.toLowerCase())),
    removed: from.columns.filter((c) => !after.has(c.name.toLowerCase())),
    retyped: to.columns.flatMap((c) => {
      const old = before.get(c.name.toLowerCase())
      return old && old.type !== c.type ? [{ name: c.name, from: old.type, to: c.type }] : []
    }),
    rows: { from: from.rowCount, to: to.rowCount },
  }
}

/** Whether the schemas are the same (names and types). */
export function sameSchema(diff: VersionDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.retyped.length === 0
}
