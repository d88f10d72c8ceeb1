import autocannon from 'autocannon'
import type { Running } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

/** A small query at 1 and 32 concurrent clients, against /api/health under the same load. */
export async function concurrencyFigures(app: Running, rows: number, seconds: number): Promise<Row[]> {
  const id = Math.max(1, Math.floor(rows / 3))
  const body = JSON.stringify({ sql: `SELECT id, region, amount FROM events WHERE id = ${id}` })
  const out: Row[] = []
  for (const connections of [1, 32]) {
    const query = await load({
      url: `${app.url}/api/query`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections,
      duration: seconds,
    })
    const health = await load({ url: `${app.url}/api/health`, connections, duration: seconds })
    if (query.non2xx > 0 || query.errors > 0) throw new Error(`small queries failed: ${query.non2xx} non-2xx, ${query.errors} errors`)
    out.push({
      figure: `small query p50 / p99 at ${connections} concurrent client${connections > 1 ? 's' : ''} (${Math.round(query.requests.average)} queries/s)`,
      csvlake: `${fmtMs(query.latency.p50)} / ${fmtMs(query.latency.p99)}`,
      reference: `/api/health ${fmtMs(health.latency.p50)} / ${fmtMs(health.latency.p99)}`,
      ratio: fmtRatio(query.latency.p99 / Math.max(health.latency.p99, 1)),
      target: connections === 32 ? 'p99 < 50 ms' : '(reported)',
      met: connections === 32 ? query.latency.p99 < 50 : null,
    })
  }
  return out
}
