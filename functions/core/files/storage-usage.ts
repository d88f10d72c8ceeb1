import { AppError } from '../errors.ts'
import { KeyedLock } from '../keyed-lock.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import { readJson, writeJson } from '../json-records.ts'
import { formatBytes } from './format-bytes.ts'

/** Bytes held for one write until it ends: it may write at most `bytes`. */
export type Reservation = {
  /** What the write may still add (Infinity without a quota). */
  readonly bytes: number
  /** The write kept `keptBytes` (all it added, records too); the rest of what was held is free again. */
  commit(keptBytes: number): void
  /** Nothing was kept: all that was held is free again. */
  release(): void
  /** The error to answer when the write outgrows what it holds (413, nothing kept). */
  refusal(): AppError
}

/** A saved figure is trusted for a day at most: a writer that forgot to report cannot skew it for longer. */
const SAVED_FOR_MS = 24 * 3_600_000

type Saved = { bytes: number; tables: Record<string, number>; measuredAt: number }

type Figure = {
  /** Bytes the tenant keeps under raw/, lake/ and results/. */
  bytes: number
  /** Of those, each table's folder under lake/: a table is measured again whenever it changes. */
  tables: Map<string, number>
  /** Bytes held by writes still running. */
  held: number
  /** When the tenant's folders were last walked (ms). */
  measuredAt: number
}

/**
 * What each tenant keeps (its uploads, tables and query results), against its storage quota.
 * A tenant is measured once, on first use (one walk of its folders); from then on the figure is
 * kept up to date in memory from what writers report, so a quota check costs the same whatever
 * the tenant keeps. Reservations are taken one at a time per tenant, so concurrent writes cannot
 * together pass the quota.
 *
 * Local mode is one process, so memory is the truth. A clean shutdown saves each figure and the
 * next start reads it instead of measuring (for a day); after a crash, or for a tenant changed
 * before its figure was read, the tenant is measured again. On AWS, where
 * functions scale out, the same figure would be one DynamoDB item per tenant: `reserve` a
 * conditional update (`used + held + n <= quota`), `commit`/`changed` atomic ADDs, reservations
 * with an expiry for writers that die, and S3 event notifications (or a nightly S3 Inventory)
 * correcting drift.
 */
export class StorageUsage {
  private readonly figures = new Map<TenantId, Figure>()
  /** Tenants being measured, and whether a change was reported meanwhile (then measure again). */
  private readonly measuring = new Map<TenantId, { changed: boolean }>()
  private readonly lock = new KeyedLock()
  /** Saved figures may be read: this process owns the folder and the last one shut down cleanly. */
  private trustSaved = false
  private owner = false
  /** Tenants changed before their figure was read: what was saved for them is out of date. */
  private readonly stale = new Set<TenantId>()

  constructor(private readonly deps: { store: ObjectStore; quotaBytes: number | undefined }) {}

  /**
   * At start-up, in the one process that owns the data folder: saved figures are trusted only
   * if the process before shut down cleanly, and not after this one dies.
   */
  async open(): Promise<void> {
    this.owner = true
    this.trustSaved = (await this.deps.store.size(keys.usageClean())) !== undefined
    if (this.trustSaved) await this.deps.store.delete(keys.usageClean())
  }

  /** At shutdown, once every writer has stopped: saves each figure for the next start. */
  async close(): Promise<void> {
    if (!this.owner) return
    const store = this.deps.store
    for (const [tenant, figure] of this.figures) {
      const saved: Saved = { bytes: figure.bytes, tables: Object.fromEntries(figure.tables), measuredAt: figure.measuredAt }
      await writeJson(store, keys.usage(tenant), saved)
    }
    for (const tenant of this.stale) if (!this.figures.has(tenant)) await store.delete(keys.usage(tenant))
    await store.putBytes(keys.usageClean(), '')
  }

  get quotaBytes(): number | undefined {
    return this.deps.quotaBytes
  }

  /** Bytes the tenant keeps now (measured on first use). */
  async used(tenant: TenantId): Promise<number> {
    return this.lock.run(tenant, async () => (await this.figure(tenant)).bytes)
  }

  /**
   * Holds room for a write before a byte of it is accepted: `atMost` bytes, or all that is left
   * when it is not given (a stream of unknown length), never more than is left. Refuses (413)
   * when nothing is left. Without a quota it holds nothing and refuses nothing.
   */
  async reserve(tenant: TenantId, opts: { atMost?: number; what?: string } = {}): Promise<Reservation> {
    const what = opts.what ?? 'This upload'
    const quota = this.deps.quotaBytes
    if (quota === undefined) {
      return { bytes: Number.POSITIVE_INFINITY, commit: (kept) => this.changed(tenant, kept), release: () => {}, refusal: () => new AppError('INTERNAL', 'No quota to pass') }
    }
    return this.lock.run(tenant, async () => {
      const figure = await this.figure(tenant)
      const left = Math.max(0, quota - figure.bytes - figure.held)
      const refusal = () => quotaRefusal(what, quota, figure.bytes, left, figure.held)
      if (left <= 0) throw refusal()
      const bytes = Math.min(left, opts.atMost ?? left)
      figure.held += bytes
      let ended = false
      const end = (kept: number) => {
        if (ended) return
        ended = true
        figure.held -= bytes
        figure.bytes += kept
      }
      return { bytes, commit: end, release: () => end(0), refusal: () => quotaRefusal(what, quota, figure.bytes, bytes, 0) }
    })
  }

  /**
   * Runs `work` alone among the tenant's quota changes: a removal that measures what it frees and
   * then removes it, so that two removals of the same thing at once free it once.
   */
  exclusive<T>(tenant: TenantId, work: () => Promise<T>): Promise<T> {
    return this.lock.run(tenant, work)
  }

  /** Bytes were written (positive) or removed (negative) under the tenant's raw/ or results/. */
  changed(tenant: TenantId, deltaBytes: number): void {
    const figure = this.figures.get(tenant)
    if (figure) figure.bytes = Math.max(0, figure.bytes + deltaBytes)
    // Not measured yet: the measure will find the bytes on disk (not a saved figure). Being
    // measured: it may or may not have seen them, so it measures again.
    else {
      this.stale.add(tenant)
      const run = this.measuring.get(tenant)
      if (run) run.changed = true
    }
  }

  /** A table was written, replaced or dropped: its folder under lake/ is measured again. */
  async tableChanged(tenant: TenantId, table: string): Promise<void> {
    await this.lock.run(tenant, async () => {
      const figure = this.figures.get(tenant)
      if (!figure) return void this.stale.add(tenant)
      const folder = keys.lakeTable(tenant, table)
      const now = await this.deps.store.sizeUnder(folder)
      figure.bytes = Math.max(0, figure.bytes + now - (figure.tables.get(folder) ?? 0))
      if (now > 0) figure.tables.set(folder, now)
      else figure.tables.delete(folder)
    })
  }

  /** The tenant's figure, measured the first time (the caller holds the tenant's lock). */
  private async figure(tenant: TenantId): Promise<Figure> {
    const known = this.figures.get(tenant)
    if (known) return known
    const saved = this.trustSaved && !this.stale.has(tenant) ? await readJson<Saved>(this.deps.store, keys.usage(tenant)) : undefined
    if (saved && Date.now() - saved.measuredAt < SAVED_FOR_MS) {
      const figure: Figure = { bytes: saved.bytes, tables: new Map(Object.entries(saved.tables)), held: 0, measuredAt: saved.measuredAt }
      this.figures.set(tenant, figure)
      return figure
    }
    for (let attempt = 1; ; attempt++) {
      const run = { changed: false }
      this.measuring.set(tenant, run)
      try {
        const figure = await this.measure(tenant)
        // Writers keep reporting: after three tries the figure stands (off by at most their bytes).
        if (!run.changed || attempt >= 3) {
          this.figures.set(tenant, figure)
          return figure
        }
      } finally {
        this.measuring.delete(tenant)
      }
    }
  }

  private async measure(tenant: TenantId): Promise<Figure> {
    const store = this.deps.store
    const measuredAt = Date.now()
    const [raw, results] = await Promise.all([store.sizeUnder(keys.rawPrefix(tenant)), store.sizeUnder(keys.resultsTenant(tenant))])
    const tables = new Map<string, number>()
    let startAfter: string | undefined
    for (;;) {
      const page = await store.listPage(keys.lakeTenant(tenant), { limit: 1000, ...(startAfter ? { startAfter } : {}) })
      for (const folder of page.keys.filter((k) => k.endsWith('/'))) tables.set(folder, await store.sizeUnder(folder))
      if (!page.more) break
      startAfter = page.keys.at(-1)
    }
    let bytes = raw + results
    for (const size of tables.values()) bytes += size
    return { bytes, tables, held: 0, measuredAt }
  }
}

function quotaRefusal(what: string, quota: number, used: number, left: number, held: number): AppError {
  const heldNote = held > 0 ? ` (${formatBytes(held)} more is held by uploads still running)` : ''
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `${what} does not fit your storage quota of ${formatBytes(quota)} (CSVLAKE_TENANT_QUOTA_BYTES): ${formatBytes(left)} is left${heldNote}. ` +
      'Delete files or tables you no longer need (uploads, tables and query results all count); nothing was kept.',
    { quotaBytes: quota, usedBytes: used },
  )
}
