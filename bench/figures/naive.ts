import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { build } from 'esbuild'
import { REPO } from '../lib/app.ts'
import { writeDataset } from '../lib/data.ts'
import { fmtMiB, fmtMs, type Row } from '../lib/row.ts'

/**
 * The naive build on `naiveRows` rows (it holds every row in memory, so the full file would not
 * fit), scaled linearly to the full row count, against csvlake's GROUP BY on the full table.
 */
export async function naiveFigures(csvlakeGroupByMs: number, rows: number, naiveRows: number, scratch: string): Promise<Row[]> {
  const file = join(scratch, 'naive.csv')
  await writeDataset(file, naiveRows)
  const outfile = join(REPO, 'dist', 'bench', 'naive.mjs')
  await build({ entryPoints: [join(REPO, 'bench', 'reference', 'naive.ts')], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' })
  const result = spawnSync(process.execPath, ['--max-old-space-size=16384', outfile, file], { cwd: REPO, encoding: 'utf8', maxBuffer: 1024 * 1024 })
  if (result.status !== 0) throw new Error(`naive build failed: ${result.stderr}`)
  const naive = JSON.parse(result.stdout) as { ms: number; maxRssBytes: number }
  const scale = rows / naiveRows
  const ms = naive.ms * scale
  return [
    {
      figure: `a naive build: csv-parse the whole file into memory, GROUP BY in JS (measured on ${naiveRows.toLocaleString('en')} rows${scale > 1 ? `, scaled x${scale.toFixed(1)}` : ''})`,
      csvlake: fmtMs(csvlakeGroupByMs),
      reference: `naive ${fmtMs(ms)}, ${fmtMiB(naive.maxRssBytes * scale)} of memory`,
      ratio: `${(ms / csvlakeGroupByMs).toFixed(0)}x faster`,
      target: 'show the gap',
      met: null,
    },
  ]
}
