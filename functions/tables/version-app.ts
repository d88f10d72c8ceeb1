import { notFound } from '../core/errors.ts'
import type { CsvlakeApp } from '../core/http/openapi.ts'
import { historyOf, rollbackTable, type VersionRetention } from '../core/ingest/table-versions.ts'
import type { TableEntry, TablePart } from '../core/ports/catalog.ts'
import type { Services } from '../core/services.ts'
import { rollbackRoute, versionsRoute } from './version-routes.ts'

/** A table's history, and rollback. A rollback is a catalog update like a load: atomic, retried on conflict. */
export function addVersionRoutes(app: CsvlakeApp, deps: Pick<Services, 'catalog' | 'store' | 'usage' | 'now'> & { retention: VersionRetention }): void {
  app.openapi(versionsRoute, async (c) => {
    const { name } = c.req.valid('param')
    const entry = await deps.catalog.get(c.var.tenant, name, { versions: true })
    if (!entry) throw notFound(`The table ${name}`)
    return c.json(history(entry, deps.retention), 200)
  })

  app.openapi(rollbackRoute, async (c) => {
    const { name } = c.req.valid('param')
    const { version } = c.req.valid('json')
    let dropParts: TablePart[] = []
    const entry = await deps.catalog.update(c.var.tenant, name, (existing) => {
      if (!existing) throw notFound(`The table ${name}`)
      const change = rollbackTable(existing, version, deps.now(), deps.retention)
      dropParts = change.dropParts
      return change.entry
    })
    // The entry is written first: then the parts no kept version reads can go.
    for (const part of dropParts) await deps.store.deletePrefix(part.key.slice(0, part.key.lastIndexOf('/') + 1))
    if (dropParts.length > 0) await deps.usage.tableChanged(c.var.tenant, name)
    return c.json(history(entry, deps.retention), 200)
  })
}

function history(entry: TableEntry, retention: VersionRetention) {
  const versions = historyOf(entry)
  const current = versions.at(-1)!.version
  return {
    table: entry.name,
    current,
    versions: versions.map((v) => ({ ...v, current: v.version === current, parts: undefined })).reverse(),
    retention,
  }
}
