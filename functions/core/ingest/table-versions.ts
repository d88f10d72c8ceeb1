import { AppError } from '../errors.ts'
import type { Catalog, Column, TableEntry, TablePart, TableVersion, VersionOperation } from '../ports/catalog.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'

/**
 * How long a table's earlier versions (and the data only they read) are kept: a version goes
 * once it has not been current for `days`, and never more than `max` are kept (which bounds the
 * catalog entry). The current version is always kept.
 */
export type VersionRetention = { days: number; max: number }

export const DEFAULT_RETENTION: VersionRetention = { days: 30, max: 100 }

/** A table entry after a change, and the parts no kept version reads any more: delete them once the entry is written. */
export type VersionedChange = { entry: TableEntry; dropParts: TablePart[] }

/** What a change makes current: its parts and columns, and what made it. */
export type Change = {
  operation: VersionOperation
  parts: TablePart[]
  columns: Column[]
  source?: { fileId: string; fileName: string; jobId: string }
  rolledBackTo?: number
}

/** The table's kept versions, oldest first. An entry from before versions were kept is one version: what it holds now. */
export function historyOf(entry: TableEntry): TableVersion[] {
  if (entry.versions && entry.versions.length > 0) return entry.versions
  const first = entry.sources[0]
  return [
    {
      version: 1,
      at: entry.updatedAt,
      operation: (first?.mode as VersionOperation | undefined) ?? 'create',
      ...(first ? { fileId: first.fileId, fileName: first.fileName, jobId: first.jobId } : {}),
      rowsAdded: entry.rowCount,
      rowsRemoved: 0,
      rowCount: entry.rowCount,
      columns: entry.columns,
      parts: entry.parts.map((p) => p.jobId),
    },
  ]
}

/** The current version's number (1 for an entry from before versions were kept). */
export function currentVersion(entry: TableEntry): number {
  return historyOf(entry).at(-1)!.version
}

/**
 * The entry after `change` makes a new version current (a load or a rollback; nothing is
 * deleted by the change itself), with the versions past `retention` dropped and the parts that
 * only they read handed back to be deleted. `existing` undefined: a new table's first version.
 */
export function applyChange(existing: TableEntry | undefined, base: Omit<TableEntry, 'parts' | 'columns' | 'rowCount' | 'updatedAt' | 'versions' | 'keptParts'>, change: Change, now: Date, retention: VersionRetention): VersionedChange {
  const at = now.toISOString()
  const before = existing ? historyOf(existing) : []
  const known = new Map<string, TablePart>()
  for (const p of [...(existing?.keptParts ?? []), ...(existing?.parts ?? []), ...change.parts]) known.set(p.jobId, p)
  const rowsOf = (ids: Iterable<string>) => [...ids].reduce((n, id) => n + (known.get(id)?.rows ?? 0), 0)
  const previous = new Set(existing?.parts.map((p) => p.jobId) ?? [])
  const next = new Set(change.parts.map((p) => p.jobId))
  const version: TableVersion = {
    version: (before.at(-1)?.version ?? 0) + 1,
    at,
    operation: change.operation,
    ...(change.source ?? {}),
    ...(change.rolledBackTo !== undefined ? { rolledBackTo: change.rolledBackTo } : {}),
    rowsAdded: rowsOf([...next].filter((id) => !previous.has(id))),
    rowsRemoved: rowsOf([...previous].filter((id) => !next.has(id))),
    rowCount: rowsOf(next),
    columns: change.columns,
    parts: [...next],
  }
  const versions = retained([...before, version], now, retention)
  const needed = new Set(versions.flatMap((v) => v.parts))
  const keptParts = [...known.values()].filter((p) => needed.has(p.jobId) && !next.has(p.jobId))
  const dropParts = [...known.values()].filter((p) => !needed.has(p.jobId))
  const entry: TableEntry = {
    ...base,
    columns: change.columns,
    parts: change.parts,
    rowCount: version.rowCount,
    updatedAt: at,
    versions,
    keptParts,
  }
  return { entry, dropParts }
}

/**
 * The versions still kept: the current one always; an earlier one while it has been out of date
 * (the next version's time) for less than `retention.days`, and only the `retention.max` newest.
 */
export function retained(versions: TableVersion[], now: Date, retention: VersionRetention): TableVersion[] {
  const cutoff = now.getTime() - retention.days * 86_400_000
  const kept = versions.filter((v, i) => i === versions.length - 1 || Date.parse(versions[i + 1]!.at) > cutoff)
  return kept.slice(-Math.max(1, retention.max))
}

/** The entry after a rollback to `version`: its parts and columns become current again, as a new version. */
export function rollbackTable(existing: TableEntry, version: number, now: Date, retention: VersionRetention): VersionedChange {
  const target = versionOf(existing, version)
  const current = currentVersion(existing)
  if (target.version === current) {
    throw new AppError('CONFLICT', `Version ${version} of ${existing.name} is already the current version; nothing to roll back.`)
  }
  const { parts: _p, columns: _c, rowCount: _r, updatedAt: _u, versions: _v, keptParts: _k, ...base } = existing
  return applyChange(existing, base, { operation: 'rollback', parts: partsOf(existing, target), columns: target.columns, rolledBackTo: target.version }, now, retention)
}

/** A kept version of the table, or a 404 saying which versions there are. */
export function versionOf(entry: TableEntry, version: number): TableVersion {
  const history = historyOf(entry)
  const found = history.find((v) => v.version === version)
  if (found) return found
  throw new AppError('NOT_FOUND', `${entry.name} has no version ${version}; ${keptVersions(entry.name, history)}.`)
}

/** The version that was current at `time`, or a 404 saying when the table's kept history starts. */
export function versionAt(entry: TableEntry, time: Date): TableVersion {
  const history = historyOf(entry)
  const found = history.filter((v) => Date.parse(v.at) <= time.getTime()).at(-1)
  if (found) return found
  throw new AppError('NOT_FOUND', `${entry.name} has no version as of ${time.toISOString()}: its oldest kept version, ${history[0]!.version}, was made at ${history[0]!.at}.`)
}

/** The parts a kept version reads. */
export function partsOf(entry: TableEntry, version: TableVersion): TablePart[] {
  const known = new Map([...(entry.keptParts ?? []), ...entry.parts].map((p) => [p.jobId, p]))
  return version.parts.map((id) => {
    const part = known.get(id)
    if (!part) throw new AppError('CONFLICT', `The data of ${entry.name} version ${version.version} is no longer kept.`)
    return part
  })
}

/** Every part any kept version reads (current or not): what dropping the table removes. */
export function allParts(entry: TableEntry): TablePart[] {
  return [...entry.parts, ...(entry.keptParts ?? [])]
}

function keptVersions(name: string, history: TableVersion[]): string {
  const first = history[0]!.version
  const last = history.at(-1)!.version
  return first === last ? `its only kept version is ${last}` : `its kept versions are ${first} to ${last}`
}

/** The earlier versions past `retention` now (never the current one), by number. */
export function expiredVersions(entry: TableEntry, now: Date, retention: VersionRetention): number[] {
  const history = historyOf(entry)
  const kept = new Set(retained(history, now, retention).map((v) => v.version))
  return history.filter((v) => !kept.has(v.version)).map((v) => v.version)
}

/** The entry with the earlier versions `numbers` forgotten, and the parts that no version left reads (to delete). */
export function withoutVersions(entry: TableEntry, numbers: number[]): VersionedChange {
  const current = currentVersion(entry)
  const gone = new Set(numbers.filter((n) => n !== current))
  const versions = historyOf(entry).filter((v) => !gone.has(v.version))
  const needed = new Set(versions.flatMap((v) => v.parts))
  const keptParts = (entry.keptParts ?? []).filter((p) => needed.has(p.jobId))
  const dropParts = (entry.keptParts ?? []).filter((p) => !needed.has(p.jobId))
  return { entry: { ...entry, versions, keptParts }, dropParts }
}

/** What applying the retention needs: the catalog, the store the parts are in, the clock and the setting. */
export type RetentionDeps = {
  catalog: Catalog
  store: ObjectStore
  now: () => Date
  retention: VersionRetention
  /** Told when parts were deleted (the tenant's storage figure). */
  changed?: (tenant: TenantId, table: string) => Promise<void>
}

/**
 * Forgets the table's versions past the retention and deletes the parts no version left reads.
 * Local registrations do this as they write (registerTable); on AWS the state machine registers
 * the table, so this runs once a load has ended (the workflow's `ended`), and after a rollback.
 * Answers how many parts were deleted.
 */
export async function applyRetention(deps: RetentionDeps, tenant: TenantId, table: string): Promise<number> {
  const entry = await deps.catalog.get(tenant, table, { versions: true })
  if (!entry) return 0
  const expired = expiredVersions(entry, deps.now(), deps.retention)
  if (expired.length === 0) return 0
  const dropParts = await deps.catalog.forgetVersions(tenant, table, expired)
  for (const part of dropParts) await deps.store.deletePrefix(part.key.slice(0, part.key.lastIndexOf('/') + 1))
  if (dropParts.length > 0) await deps.changed?.(tenant, table)
  return dropParts.length
}
