import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { FUNCTIONS } from './routing.ts'

/** A function's name, as its folder under functions/ spells it. */
export type FunctionName = (typeof FUNCTIONS)[number]

/**
 * The mode an image serves. Local mode keeps data in a folder and runs ingest and queries on
 * DuckDB; aws mode uses S3, Glue, Athena and Step Functions, so its images carry no DuckDB at all.
 */
export type Mode = 'local' | 'aws'

/**
 * The functions that load DuckDB in local mode: those whose app takes the ingest workflow (its
 * crawler and converter run on DuckDB in process) or the query engine from the services - read
 * from each app's `Pick<Services, ...>`, so a function that starts using either is noticed here.
 * Today: job-status (the local workflow, even to read job records, opens its DuckDB), query and
 * submit. In aws mode none does.
 */
export function duckdbFunctions(mode: Mode, appSource: (name: FunctionName) => string): FunctionName[] {
  if (mode === 'aws') return []
  return FUNCTIONS.filter((name) => {
    const picked = /Pick<Services,([^>]*)>/.exec(appSource(name))?.[1] ?? ''
    return /'(workflow|queries)'/.test(picked)
  })
}

/** Reads functions/<name>/app.ts from the checkout at `repo`. */
export const appSourceIn = (repo: string) => (name: FunctionName) => readFileSync(join(repo, 'functions', name, 'app.ts'), 'utf8')

/**
 * The files under `distDir` that `entry` (relative to it) loads, now or later: itself and every
 * chunk it imports statically or with `import()`, transitively, each with its source map when
 * there is one. Lazy chunks count: which of them a request needs is known only at run time (the
 * aws adapters load only in aws mode, but the image serves either).
 */
export function bundleFiles(distDir: string, entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(join(distDir, file), 'utf8')
    for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"(\.\.?\/[^"]+)"/gm)) {
      visit(normalize(join(dirname(file), m[1]!)))
    }
  }
  visit(normalize(entry))
  const files = [...seen].sort()
  return [...files, ...files.map((f) => `${f}.map`).filter((f) => existsSync(join(distDir, f)))].sort()
}

/** A package, or the files of it, that a function loads from node_modules at run time (outside the bundle). */
export type RuntimePackage = { name: string; files?: readonly string[] }

/**
 * What is not bundled (scripts/bundle.mjs keeps @duckdb/node-api external: a native addon), or is
 * read from a package's folder at run time: DuckDB with its native binding where DuckDB is used,
 * and the two Swagger UI files the docs page serves (functions/core/adapters/swagger-ui-assets.ts).
 */
export function runtimePackages(name: FunctionName, usesDuckdb: boolean): RuntimePackage[] {
  const packages: RuntimePackage[] = []
  if (usesDuckdb) {
    packages.push({ name: '@duckdb/node-api' }, { name: '@duckdb/node-bindings' }, { name: `@duckdb/node-bindings-${process.platform}-${process.arch}` })
  }
  if (name === 'docs') {
    packages.push({ name: 'swagger-ui-dist', files: ['package.json', 'swagger-ui.css', 'swagger-ui-bundle.js', 'LICENSE', 'NOTICE'] })
  }
  return packages
}

/** The local image name of a service; aws-mode builds of functions that differ get their own tag. */
export function imageRef(service: string, mode: Mode = 'local'): string {
  return `csvlake-${service}:${mode}`
}

