import autocannon from 'autocannon'
import type { Running } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

/**
 * A small query at 1 and 32 concurrent clients, against /api/health under the same load: the same
 * lookup over and over (as a dashboard or a shared link asks it; answered from the earlier result
 * while the table is unchanged), and a different lookup each time (every one runs).
 */
export async function concurrencyFigures(app: Running, rows: number, seconds: number): Promise<Row[]> {
  const lookup = (id: number) => JSON.stringify({ sql: `SELECT id, region, amount FROM events WHERE id = ${id}` })
  let next = 0
  const distinct = () => lookup(1 + (next++ % Math.max(1, rows)))
  const out: Row[] = []
  for (const [kind, body] of [
    ['the same small query', () => lookup(Math.max(1, Math.floor(rows / 3)))],
    ['a different small query each time', distinct],
  ] as const) {
    for (const connections of [1, 32]) {
      const query = await load({
        url: `${app.url}/api/query`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
        connections,
        duration: seconds,
      })
      const health = await load({ url: `${app.url}/api/health`, connections, duration: seconds })
      if (query.non2xx > 0 || query.errors > 0) throw new Error(`small queries failed: ${query.non2xx} non-2xx, ${query.errors} errors`)
      out.push({
        figure: `${kind}, p50 / p99 at ${connections} concurrent client${connections > 1 ? 's' : ''} (${Math.round(query.requests.average)} queries/s)`,
        csvlake: `${fmtMs(query.latency.p50)} / ${fmtMs(query.latency.p99)}`,
        reference: `/api/health ${fmtMs(health.latency.p50)} / ${fmtMs(health.latency.p99)}`,
        ratio: fmtRatio(query.latency.p99 / Math.max(health.latency.p99, 1)),
        target: connections === 32 ? 'p99 < 50 ms' : '(reported)',
        met: connections === 32 ? query.latency.p99 < 50 : null,
      })
    }
  }
  return out
}
