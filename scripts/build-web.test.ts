import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { webSourceHash } from './build-web.mjs'

let base: string
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'csvlake-web-hash-'))
  await put('package-lock.json', '{}')
  await put('functions/shared/package.json', '{}')
  await put('functions/shared/table-name-rules.ts', 'export {}')
  await put('web/app/page.tsx', 'export default function Page() { return null }')
  await put('web/tsconfig.json', '{}')
  // As the repository's own .gitignore has them.
  await put('.gitignore', 'node_modules/\nweb/.next/\nweb/out/\nweb/next-env.d.ts\nweb/lib/api/schema.d.ts\n*.tsbuildinfo\n')
})
afterEach(() => rm(base, { recursive: true, force: true }))

async function put(path: string, content: string) {
  await mkdir(dirname(join(base, path)), { recursive: true })
  await writeFile(join(base, path), content)
}

/** What `next build` and `npm run api-types` leave in web/ after the first start. */
async function buildOutputs(version: string) {
  await put('web/next-env.d.ts', `/// <reference types="next" /> ${version}`)
  await put('web/tsconfig.tsbuildinfo', version)
  await put('web/lib/api/schema.d.ts', `export type paths = { v: '${version}' }`)
  await put('web/.next/cache/x', version)
  await put('web/out/index.html', version)
}

describe('webSourceHash', () => {
  it('does not change when build outputs and git-ignored files appear or change (a fresh clone)', async () => {
    expect(spawnSync('git', ['init', '-q'], { cwd: base }).status).toBe(0)
    const fresh = webSourceHash(base)
    await buildOutputs('1')
    expect(webSourceHash(base)).toBe(fresh)
    await buildOutputs('2')
    await put('web/notes.local', 'ignored too')
    await put('.gitignore', 'node_modules/\nweb/.next/\nweb/out/\nweb/next-env.d.ts\nweb/lib/api/schema.d.ts\n*.tsbuildinfo\n*.local\n')
    expect(webSourceHash(base)).toBe(fresh)
  })

  it('does not count generated files outside a git checkout either', async () => {
    const fresh = webSourceHash(base)
    await buildOutputs('1')
    expect(webSourceHash(base)).toBe(fresh)
  })

  it('changes when a source changes or a new one appears', async () => {
    expect(spawnSync('git', ['init', '-q'], { cwd: base }).status).toBe(0)
    const before = webSourceHash(base)
    await put('web/app/page.tsx', 'export default function Page() { return "changed" }')
    const changed = webSourceHash(base)
    expect(changed).not.toBe(before)
    await put('web/components/new.tsx', 'export {}')
    expect(webSourceHash(base)).not.toBe(changed)
  })

  it('changes when the package the web shares with the server (functions/shared) changes or gains a file', async () => {
    expect(spawnSync('git', ['init', '-q'], { cwd: base }).status).toBe(0)
    const before = webSourceHash(base)
    await put('functions/shared/table-name-rules.ts', 'export const MAX_TABLE_NAME_LENGTH = 64')
    const changed = webSourceHash(base)
    expect(changed).not.toBe(before)
    await put('functions/shared/schema-diff.ts', 'export {}')
    expect(webSourceHash(base)).not.toBe(changed)
  })
})
