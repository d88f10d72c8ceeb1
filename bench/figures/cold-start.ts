import { readFile, stat } from 'node:fs/promises'
import { FUNCTIONS } from '../../deploy/routing.ts'
import { dirname, join, normalize } from 'node:path'
import { bundle } from '../../scripts/bundle.mjs'
import { postJson, REPO, startServer } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

/** What a bundle loads at start: the entry and every chunk it imports statically (not the lazy ones). */
async function eagerBytes(file: string, seen = new Set<string>()): Promise<number> {
  if (seen.has(file)) return 0
  seen.add(file)
  const source = await readFile(file, 'utf8')
  let total = (await stat(file)).size
  for (const m of source.matchAll(/^import\s[^;]*?from\s*"(\.[^"]+)"/gm)) total += await eagerBytes(normalize(join(dirname(file), m[1]!)), seen)
  return total
}

/** Spawn to first 200 of each function's bundle, against an empty Hono app (with DuckDB when the function uses it). */
export async function coldStartFigures(dataDir: string, runs: number): Promise<Row[]> {
  // The references are bundled exactly as the functions are.
  const refDir = join(REPO, 'dist', 'bench')
  await bundle(refDir, {
    'empty-hono': join(REPO, 'bench', 'reference', 'empty-hono.ts'),
    'empty-hono-duckdb': join(REPO, 'bench', 'reference', 'empty-hono-duckdb.ts'),
  })
  // Both sides keep V8's compile cache, as a deployed image would (NODE_COMPILE_CACHE).
  const env = { CSVLAKE_DATA_DIR: dataDir, NODE_COMPILE_CACHE: join(dataDir, '.compile-cache') }
  const once = async (file: string, probe: string, firstUse?: (url: string) => Promise<void>) => {
    const started = performance.now()
    const server = await startServer([file], env, probe)
    if (firstUse) await firstUse(server.url)
    const ms = performance.now() - started
    await server.stop()
    return ms
  }
  type Start = { file: string; probe: string; firstUse?: (url: string) => Promise<void> }
  /** Medians of a function and its reference, started turn about, so a drift of the VM's speed hits both alike. */
  const coldStarts = async (subject: Start, reference: Start) => {
    for (const s of [subject, reference]) await once(s.file, s.probe, s.firstUse) // fills the compile cache
    const times: [number[], number[]] = [[], []]
    // Starts are short and noisy: three times the runs of the other figures.
    for (let i = 0; i < runs * 3; i++) {
      times[0].push(await once(subject.file, subject.probe, subject.firstUse))
      times[1].push(await once(reference.file, reference.probe, reference.firstUse))
    }
    return times.map(median) as [number, number]
  }
  const empty: Start = { file: join(refDir, 'empty-hono.mjs'), probe: '/api/health' }
  const emptyDuck: Start = { file: join(refDir, 'empty-hono-duckdb.mjs'), probe: '/api/health' }
  // The query function loads DuckDB on its first query: time it to that first answer.
  const firstQuery = async (url: string) => {
    const res = await postJson(`${url}/api/query`, { sql: 'SELECT 42 AS answer' })
    if (res.status !== 200) throw new Error(`first query answered ${res.status}`)
    await res.arrayBuffer()
  }
  const functionsDir = join(REPO, 'dist', 'functions')
  const rows: Row[] = []
  // The HTTP functions only: dist/functions also holds the prepare program, a batch Job's (no server).
  for (const name of [...FUNCTIONS].sort()) {
    const path = join(functionsDir, `${name}.mjs`)
    const duck = name === 'query'
    const [ms, reference] = await coldStarts({ file: path, probe: '/healthz', ...(duck ? { firstUse: firstQuery } : {}) }, duck ? emptyDuck : empty)
    const size = await eagerBytes(path)
    rows.push({
      figure: `cold start of the ${name} function${duck ? ', to its first query' : ''} (loads ${kib(size)} of bundle)`,
      csvlake: fmtMs(ms),
      reference: `empty Hono app${duck ? ' + DuckDB' : ''} ${fmtMs(reference)}`,
      ratio: fmtRatio(ms / reference),
      target: 'within 1.3x',
      met: ms <= reference * 1.3,
    })
  }
  return rows
}
