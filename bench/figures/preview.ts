import type { Running } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { percentile } from '../lib/stats.ts'

async function latencies(url: string, fileId: string, calls: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < calls; i++) {
    const start = performance.now()
    const res = await fetch(`${url}/api/preview?fileId=${fileId}&limit=100`)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`preview answered ${res.status}`)
    out.push(performance.now() - start)
  }
  return out
}

/** Preview time must not grow with the file: the big file against the 1 MiB one. */
export async function previewFigures(app: Running, bigFileId: string, smallFileId: string, calls: number): Promise<Row[]> {
  await latencies(app.url, smallFileId, 5) // warm up
  const small = await latencies(app.url, smallFileId, calls)
  const big = await latencies(app.url, bigFileId, calls)
  const [p50, p99, s50, s99] = [percentile(big, 50), percentile(big, 99), percentile(small, 50), percentile(small, 99)]
  return [
    {
      figure: 'preview p50 / p99 of the big file (100 rows)',
      csvlake: `${fmtMs(p50)} / ${fmtMs(p99)}`,
      reference: `1 MiB file ${fmtMs(s50)} / ${fmtMs(s99)}`,
      ratio: fmtRatio(p50 / s50),
      target: 'p50 < 20 ms; big/small < 1.2',
      met: p50 < 20 && p50 / s50 < 1.2,
    },
  ]
}
