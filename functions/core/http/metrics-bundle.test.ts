import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, normalize } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../../../scripts/bundle.mjs'

const REPO = join(import.meta.dirname, '..', '..', '..')

/** `import … from "./x"`, `import "./x"` and `export … from "./x"` at the start of a line: what ESM loads before the module runs. */
const STATIC_IMPORT = /^(?:import|export)\s*(?:[^;'"]*?from\s*)?"(\.\.?\/[^"]+)"/gm
/** `import("./x")` anywhere: what loads only when that line runs. */
const DYNAMIC_IMPORT = /\bimport\s*\(\s*"(\.\.?\/[^"]+)"\s*\)/g

/**
 * The files of a bundle reachable from `entry` by static imports alone (with `dynamic`, by
 * dynamic ones too): unlike deploy/image-plan.ts `bundleFiles`, which follows both because an
 * image must hold every file, this tells what Node parses before the entry's first line runs.
 */
function reachable(distDir: string, entry: string, dynamic: boolean): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(join(distDir, file), 'utf8')
    const patterns = dynamic ? [STATIC_IMPORT, DYNAMIC_IMPORT] : [STATIC_IMPORT]
    for (const pattern of patterns) for (const m of source.matchAll(pattern)) visit(normalize(join(dirname(file), m[1]!)))
  }
  visit(normalize(entry))
  return [...seen].sort()
}

/** esbuild marks each bundled module with its path (`// node_modules/prom-client/lib/registry.js`); the registry's content type is prom-client's own line. */
const holdsPromClient = (source: string) => source.includes('node_modules/prom-client/') || source.includes('text/plain; version=0.0.4')

describe('the bundle of a standalone function (scripts/bundle.mjs)', () => {
  let dist: string
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'csvlake-metrics-bundle-'))
    await bundle(dist, { 'functions/health': join(REPO, 'functions', 'health', 'main.ts') })
  })
  afterAll(() => rm(dist, { recursive: true, force: true }))

  it('loads prom-client only in a chunk that no file on its start-up path imports statically', () => {
    const entry = 'functions/health.mjs'
    expect(existsSync(join(dist, entry))).toBe(true)
    const eager = reachable(dist, entry, false)
    // The start-up path is the entry and its shared chunks (the app, the services, the metrics recorder).
    expect(eager.length).toBeGreaterThan(1)
    expect(eager.filter((file) => holdsPromClient(readFileSync(join(dist, file), 'utf8')))).toEqual([])
    // prom-client is in the bundle all the same, behind a dynamic import (so the check above looks for something that exists).
    const lazy = reachable(dist, entry, true).filter((file) => !eager.includes(file))
    expect(lazy.filter((file) => holdsPromClient(readFileSync(join(dist, file), 'utf8'))).length).toBeGreaterThan(0)
  }, 60_000)
})
