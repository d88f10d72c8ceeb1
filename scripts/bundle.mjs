// The one bundling recipe, used by `npm run build` and by the tests that run what it builds.
// Everything is bundled but DuckDB (a native addon); code only some paths need (DuckDB, the
// state machine runner) is split into chunks that load on first use.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { join } from 'node:path'

/** @param {string} outdir @param {Record<string, string>} entryPoints */
export async function bundle(outdir, entryPoints) {
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true })
  await build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: ['@duckdb/node-api'],
    // Bundled CommonJS packages call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __csvlakeRequire } from 'node:module'; const require = __csvlakeRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  })
}
