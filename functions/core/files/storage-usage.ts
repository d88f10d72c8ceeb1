import { AppError } from '../errors.ts'
import { KeyedLock } from '../keyed-lock.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
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

type Figure = {
  /** Bytes the tenant keeps under raw/, lake/ and results/. */
  bytes: number
  /** Of those, each table's folder under lake/: a table is measured again whenever it changes. */
  tables: Map<string, number>
  /** Bytes held by writes still running. */
  held: number
}

/**
 * What each tenant keeps (its uploads, tables and query results), against its storage quota.
 * A tenant is measured once, on first use (one walk of its folders); from then on the figure is
 * kept up to date in memory from what writers report, so a quota check costs the same whatever
 * the tenant keeps. Reservations are taken one at a time per tenant, so concurrent writes cannot
 * together pass the quota.
 *
 * Local mode is one process, so memory is the truth (a restart measures again). On AWS, where
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

  constructor(private readonly deps: { store: ObjectStore; quotaBytes: number | undefined }) {}

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

  /** Bytes were written (positive) or removed (negative) under the tenant's raw/ or results/. */
  changed(tenant: TenantId, deltaBytes: number): void {
    const figure = this.figures.get(tenant)
    if (figure) figure.bytes = Math.max(0, figure.bytes + deltaBytes)
    // Not measured yet: the measure will find the bytes on disk. Being measured: it may or may
    // not have seen them, so it measures again.
    else {
      const run = this.measuring.get(tenant)
      if (run) run.changed = true
    }
  }

  /** A table was written, replaced or dropped: its folder under lake/ is measured again. */
  async tableChanged(tenant: TenantId, table: string): Promise<void> {
    await this.lock.run(tenant, async () => {
      const figure = this.figures.get(tenant)
      if (!figure) return
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
    return { bytes, tables, held: 0 }
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
