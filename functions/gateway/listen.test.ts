import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildEntries, freePort, startProcess, stopProcess } from '../testing/built-process.ts'

/** An address of this machine that another host on its network would use (none on a bare sandbox). */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address

let built: Awaited<ReturnType<typeof buildEntries>>
let dataDir: string
const children: ChildProcess[] = []
beforeAll(async () => {
  built = await buildEntries({ gateway: 'functions/gateway/main.ts', upload: 'functions/upload/main.ts' })
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-listen-'))
})
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)))
  await built.remove()
  await rm(dataDir, { recursive: true, force: true })
})

/** Runs a bundle with HOST unset (empty) unless `env` sets it: some shells export HOST themselves. */
async function run(name: string, env: Record<string, string> = {}) {
  const port = freePort()
  let output = ''
  const child = await startProcess(join(built.outdir, `${name}.mjs`), { PORT: String(port), CSVLAKE_DATA_DIR: dataDir, HOST: '', ...env }, (line) => {
    output += line
  })
  children.push(child)
  return { port, child, output: () => output }
}

/** Whether a GET to address:port is answered at all (the status), or refused (the error code). */
function reach(address: string, port: number, path = '/api/health', headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: address, port, path, headers }, (res) => {
      res.resume()
      resolve(res.statusCode!)
    })
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    req.end()
  })
}

describe('where the gateway listens', () => {
  // Needs no network of the machine's own: what the server bound to, as its log says.
  it('binds to 127.0.0.1 without identity, to every interface with HOST=0.0.0.0 or with identity', async () => {
    const local = await run('gateway')
    expect(local.output()).toMatch(/"message":"csvlake listening".*"address":"127\.0\.0\.1"/)
    const open = await run('gateway', { HOST: '0.0.0.0' })
    expect(open.output()).toMatch(/"message":"csvlake listening".*"address":"0\.0\.0\.0"/)
    const signedIn = await run('gateway', { CSVLAKE_AUTH_ISSUER: 'https://issuer.example/', CSVLAKE_AUTH_AUDIENCE: 'https://csvlake.test/api' })
    expect(signedIn.output()).not.toMatch(/"address":"127\.0\.0\.1"/)
  }, 60_000)

  it.skipIf(!lanAddress)('without identity, only on this machine: other hosts on the network cannot connect', async () => {
    const { port, output } = await run('gateway')
    expect(await reach('127.0.0.1', port)).toBe(200)
    expect(await reach(lanAddress!, port)).toBe('ECONNREFUSED')
    expect(output()).not.toMatch(/anyone who can reach/)
  }, 60_000)

  it.skipIf(!lanAddress)('HOST=0.0.0.0 opens it, with a warning in the log; addresses are answered, other names are not', async () => {
    const { port, output } = await run('gateway', { HOST: '0.0.0.0' })
    expect(await reach(lanAddress!, port)).toBe(200)
    expect(await reach(lanAddress!, port, '/api/health', { host: `attacker.example:${port}` })).toBe(403)
    expect(output()).toMatch(/"level":"warn".*anyone who can reach port \d+ can read and write as the local user/)
  }, 60_000)

  it.skipIf(!lanAddress)('with identity on, on every interface: every call needs a token', async () => {
    const { port } = await run('gateway', { CSVLAKE_AUTH_ISSUER: 'https://issuer.example/', CSVLAKE_AUTH_AUDIENCE: 'https://csvlake.test/api' })
    expect(await reach(lanAddress!, port)).toBe(200)
    expect(await reach(lanAddress!, port, '/api/files', { host: 'csvlake.example.com' })).toBe(401)
  }, 60_000)

  it.skipIf(!lanAddress)('a function run alone follows the same rule', async () => {
    const { port } = await run('upload')
    expect(await reach('127.0.0.1', port, '/healthz')).toBe(200)
    expect(await reach(lanAddress!, port, '/healthz')).toBe('ECONNREFUSED')
    expect(await reach('127.0.0.1', port, '/healthz', { host: 'upload.csvlake.example.com' })).toBe(403)
  }, 60_000)
})
