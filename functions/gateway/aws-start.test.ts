import { spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awsServicesFromEnv } from '../core/adapters/aws/aws-main.ts'
import { loadConfig } from '../core/config.ts'
import { createLogger } from '../core/logger.ts'
import { tenantId } from '../core/tenant.ts'
import { awsEnv } from '../testing/aws-test-server.ts'
import { buildEntries, freePort, startProcess, stopProcess } from '../testing/built-process.ts'
import { startS3rver, type RunningS3rver } from '../testing/s3rver.ts'
import { upload } from '../testing/test-server.ts'

let built: Awaited<ReturnType<typeof buildEntries>>
let s3: RunningS3rver
const children: ChildProcess[] = []
beforeAll(async () => {
  built = await buildEntries({ upload: 'functions/upload/main.ts', files: 'functions/files/main.ts', preview: 'functions/preview/main.ts' })
  s3 = await startS3rver('csvlake-aws-start')
})
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)))
  await built.remove()
  await s3.close()
})

/** The SDK's default credential chain reads these; s3rver accepts them. */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }

async function run(name: string, env: Record<string, string>) {
  const port = freePort()
  children.push(await startProcess(join(built.outdir, `${name}.mjs`), { PORT: String(port), CSVLAKE_AUTH: 'none', ...CREDENTIALS, ...env }))
  return `http://127.0.0.1:${port}`
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('the built functions in CSVLAKE_MODE=aws (S3 on s3rver over HTTP)', () => {
  it('stream an upload into the bucket, list it and preview it from there, each function in its own process', async () => {
    const uploader = await run('upload', awsEnv(s3))
    const lister = await run('files', awsEnv(s3))
    const previewer = await run('preview', awsEnv(s3))
    const res = await upload(uploader, 'cloud.csv', 'city,people\nOslo,709000\nBergen,291000\n')
    expect(res.status).toBe(201)
    const { fileId } = await res.json()
    expect((await (await fetch(`${lister}/api/files`)).json()).files.map((f: { fileId: string }) => f.fileId)).toEqual([fileId])
    const preview = await (await fetch(`${previewer}/api/preview?fileId=${fileId}`)).json()
    expect(preview.rows).toEqual([{ city: 'Oslo', people: '709000' }, { city: 'Bergen', people: '291000' }])
    const stored: string[] = []
    for await (const key of listKeys(s3)) stored.push(key)
    expect(stored.filter((k) => k.includes(fileId)).sort()).toEqual([`raw/local/${fileId}/data`, `raw/local/${fileId}/meta.json`])
  })

  it('answers 503 naming S3, within seconds, when S3 cannot be reached', async () => {
    const uploader = await run('upload', { ...awsEnv(s3), AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}`, CSVLAKE_AWS_TIMEOUT_MS: '1000', CSVLAKE_AWS_MAX_ATTEMPTS: '2' })
    const started = Date.now()
    const res = await upload(uploader, 'cloud.csv', 'a,b\n1,2\n')
    expect(res.status).toBe(503)
    expect((await res.json()).error.message).toMatch(/S3 cannot be reached/)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it("runs a tenant's Glue calls with credentials assumed for that tenant: no STS, no catalog", async () => {
    const sts = await closedPort()
    const env = { ...awsEnv(s3), ...CREDENTIALS, CSVLAKE_AUTH: 'none', AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${sts}`, AWS_ENDPOINT_URL_GLUE: `http://127.0.0.1:${await closedPort()}`, CSVLAKE_AWS_TIMEOUT_MS: '500', CSVLAKE_AWS_MAX_ATTEMPTS: '1' }
    // The SDK's default credential chain reads the process's own environment.
    Object.assign(process.env, CREDENTIALS)
    const services = await awsServicesFromEnv(loadConfig(env), createLogger({ quiet: true }), env)
    try {
      // The Glue client never gets to Glue: it first asks STS for the tenant's credentials.
      await expect(services.catalog.list(tenantId('team-a'))).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/STS cannot be reached.*ECONNREFUSED/), details: { service: 'STS' } })
    } finally {
      await services.close()
      delete process.env.AWS_ACCESS_KEY_ID
      delete process.env.AWS_SECRET_ACCESS_KEY
    }
  })

  it('refuses to start without its settings, naming every one that is missing or malformed', () => {
    const result = spawnSync(process.execPath, [join(built.outdir, 'files.mjs')], {
      env: { ...process.env, PORT: String(freePort()), CSVLAKE_MODE: 'aws', CSVLAKE_AUTH: 'none', CSVLAKE_S3_BUCKET: 'Not_A_Bucket', AWS_REGION: 'eu-west-1', CSVLAKE_ATHENA_WORKGROUP: '', CSVLAKE_INGEST_STATE_MACHINE_ARN: '', CSVLAKE_CRAWLER_ROLE_ARN: '', CSVLAKE_TENANT_ROLE_ARN: '' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(result.status).not.toBe(0)
    const said = result.stdout + result.stderr
    for (const name of ['CSVLAKE_S3_BUCKET', 'CSVLAKE_ATHENA_WORKGROUP', 'CSVLAKE_INGEST_STATE_MACHINE_ARN', 'CSVLAKE_CRAWLER_ROLE_ARN', 'CSVLAKE_TENANT_ROLE_ARN']) expect(said).toContain(name)
    expect(said).not.toContain('AWS_REGION')
  })
})

async function* listKeys(s3: RunningS3rver): AsyncIterable<string> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3')
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))
  for (const o of page.Contents ?? []) if (o.Key) yield o.Key
}
