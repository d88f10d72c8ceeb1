import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The domain stays backend-free, so the aws adapters plug in without touching it: no file of the
 * domain folders (functions/core/ except adapters/, and every function's own folder) imports
 * DuckDB, the file system, an AWS SDK or a local adapter. Tests may (they pick real adapters).
 * The gateway is the local-mode server, prepare/ is the ingest Jobs' program (it puts S3 and Glue
 * together with the DuckDB converter, as the gateway puts local mode together) and testing/ holds
 * test helpers: all three are left out.
 */
const functionsDir = resolve(import.meta.dirname, '..')
const core = join(functionsDir, 'core')
const adapters = join(core, 'adapters')
const localAdapters = join(adapters, 'local')
const NOT_DOMAIN = new Set(['gateway', 'prepare', 'testing', 'node_modules'])

const BANNED: { test: (specifier: string) => boolean; why: string }[] = [
  { test: (s) => s.startsWith('@duckdb/'), why: 'DuckDB belongs to adapters/local' },
  { test: (s) => /^(node:)?fs(\/promises)?$/.test(s), why: 'the file system belongs to adapters/local (the object store port reads and writes)' },
  { test: (s) => s.startsWith('@aws-sdk/'), why: 'the AWS SDK belongs to adapters/aws' },
]

/** Every module specifier a file imports: static imports and re-exports, `import('x')`, `require('x')`. */
export function importsOf(source: string): string[] {
  const found: string[] = []
  const patterns = [
    /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!)
  return found
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (path !== adapters && entry.name !== 'node_modules') yield* tsFiles(path)
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      yield path
    }
  }
}

function domainFiles(): string[] {
  const folders = readdirSync(functionsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_DOMAIN.has(e.name))
    .map((e) => join(functionsDir, e.name))
  return folders.flatMap((folder) => [...tsFiles(folder)])
}

/** What is wrong with `file`'s imports, one line each. */
function violations(file: string): string[] {
  const problems: string[] = []
  for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
    const banned = BANNED.find((b) => b.test(specifier))
    if (banned) problems.push(`${relative(functionsDir, file)} imports ${specifier}: ${banned.why}`)
    if (specifier.startsWith('.') && resolve(dirname(file), specifier).startsWith(localAdapters + sep)) {
      problems.push(`${relative(functionsDir, file)} imports ${specifier}: a local adapter; take the port instead and let main.ts pick it`)
    }
  }
  return problems
}

describe('the domain folders', () => {
  it('cover core (but its adapters) and every function, and not the gateway', () => {
    const files = domainFiles().map((f) => relative(functionsDir, f))
    expect(files).toContain(join('core', 'errors.ts'))
    expect(files).toContain(join('query', 'app.ts'))
    expect(files).toContain(join('docs', 'app.ts'))
    expect(files.some((f) => f.startsWith(join('core', 'adapters')))).toBe(false)
    expect(files.some((f) => f.startsWith('gateway'))).toBe(false)
  })

  it('import neither DuckDB, nor the file system, nor an AWS SDK, nor a local adapter', () => {
    expect(domainFiles().flatMap(violations)).toEqual([])
  })

  it('find such imports in every form they take', () => {
    const source = [
      "import { DuckDBInstance } from '@duckdb/node-api'",
      "import type {\n  FileHandle,\n} from 'node:fs/promises'",
      "export { x } from '../adapters/local/duckdb-sandbox.ts'",
      "const fs = require('fs')",
      "const m = await import('../adapters/local/local-services.ts')",
      "import 'node:fs'",
      '// a comment that mentions duckdb and node:fs is no import',
    ].join('\n')
    expect(importsOf(source)).toEqual([
      '@duckdb/node-api',
      'node:fs/promises',
      '../adapters/local/duckdb-sandbox.ts',
      'node:fs',
      '../adapters/local/local-services.ts',
      'fs',
    ])
  })
})

describe('@csvlake/shared (functions/shared), which the web imports too', () => {
  it('imports nothing outside itself: the web build must not pull in server code or packages', () => {
    const shared = join(functionsDir, 'shared')
    const problems = [...tsFiles(shared)].flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((s) => !s.startsWith('.') || !resolve(dirname(file), s).startsWith(shared + sep))
        .map((s) => `${relative(functionsDir, file)} imports ${s}`),
    )
    expect(problems).toEqual([])
  })
})

describe('the docs function', () => {
  it('builds its document from route data alone: it imports no app, no gateway and no adapter', () => {
    const docs = [...tsFiles(join(functionsDir, 'docs'))].filter((f) => !f.endsWith('main.ts'))
    const routeFiles = readdirSync(functionsDir)
      .map((name) => join(functionsDir, name, 'routes.ts'))
      .filter((f) => existsSync(f))
    expect(routeFiles.length).toBeGreaterThan(0)
    const problems = [...docs, ...routeFiles].flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((s) => s.startsWith('.'))
        .map((s) => resolve(dirname(file), s))
        .filter((target) => target.endsWith(`${sep}app.ts`) || target.includes(`${sep}gateway${sep}`) || target.startsWith(adapters + sep))
        .map((target) => `${relative(functionsDir, file)} imports ${relative(functionsDir, target)}`),
    )
    expect(problems).toEqual([])
  })
})
