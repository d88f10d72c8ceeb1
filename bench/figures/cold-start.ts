import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { REPO, startServer } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { medianOf } from '../lib/stats.ts'

/** Functions that open DuckDB (and so compare with the empty app that imports DuckDB). */
const DUCKDB_FUNCTIONS = new Set(['query', 'submit'])

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

/** Bundles the reference apps exactly as the functions are bundled. */
async function buildReferences(outdir: string) {
  await build({
    entryPoints: {
      'empty-hono': join(REPO, 'bench', 'reference', 'empty-hono.ts'),
      'empty-hono-duckdb': join(REPO, 'bench', 'reference', 'empty-hono-duckdb.ts'),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    logLevel: 'warning',
  })
}

/** Spawn to first 200 of each function's bundle, against an empty Hono app (with DuckDB when the function uses it). */
export async function coldStartFigures(dataDir: string, runs: number): Promise<Row[]> {
  const refDir = join(REPO, 'dist', 'bench')
  await buildReferences(refDir)
  const coldStart = (file: string, probe: string) =>
    medianOf(runs, async () => {
      const server = await startServer([file], { CSVLAKE_DATA_DIR: dataDir }, probe)
      await server.stop()
      return server.startMs
    })
  const empty = await coldStart(join(refDir, 'empty-hono.mjs'), '/api/health')
  const emptyDuck = await coldStart(join(refDir, 'empty-hono-duckdb.mjs'), '/api/health')
  const functionsDir = join(REPO, 'dist', 'functions')
  const rows: Row[] = []
  for (const file of (await readdir(functionsDir)).filter((f) => f.endsWith('.mjs')).sort()) {
    const name = file.replace(/\.mjs$/, '')
    const path = join(functionsDir, file)
    const ms = await coldStart(path, '/healthz')
    const size = (await stat(path)).size
    const duck = DUCKDB_FUNCTIONS.has(name)
    const reference = duck ? emptyDuck : empty
    rows.push({
      figure: `cold start of the ${name} function (bundle ${kib(size)}, packages from node_modules)`,
      csvlake: fmtMs(ms),
      reference: `empty Hono app${duck ? ' + DuckDB' : ''} ${fmtMs(reference)}`,
      ratio: fmtRatio(ms / reference),
      target: 'within 1.3x',
      met: ms <= reference * 1.3,
    })
  }
  return rows
}
