import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newPage, screenshot, type TestPage } from '../web/e2e/harness.ts'
import { gzipSync } from 'node:zlib'
import { S3ObjectStore } from '../functions/core/adapters/aws/s3-object-store.ts'
import { FakeGlue } from '../functions/core/adapters/fake/fake-glue.ts'
import { glueOverHttp } from '../functions/testing/glue-over-http.ts'
import { givenPreparedJob } from '../functions/testing/prepared-job.ts'
import { S3RVER_CREDENTIALS, startS3rver } from '../functions/testing/s3rver.ts'
import { hardened, up, type Deployment } from './compose.ts'
import { docker, dockerAsync, dockerRunning } from './docker.ts'
import { imageRef } from './image-plan.ts'
import { buildImages, ensureBaseImage, runtimeOf } from './images.ts'
import { FUNCTIONS, routingTable, serviceFor } from './routing.ts'

// The images built and run for real: the base from Debian's packages, an image per function, the
// web and the ingress; then the local deployment (each in its own container, behind the ingress)
// through a browser journey in Chromium, with the query function scaled to zero and back midway.
// Needs a Docker daemon: `npm test` runs scripts/ensure-docker.mjs first. Without one these
// tests are skipped, saying why - unless CSVLAKE_REQUIRE_DOCKER=1 (CI), where that is a failure.

const dockerUp = dockerRunning()
const required = process.env.CSVLAKE_REQUIRE_DOCKER === '1'
const WHY = 'no Docker daemon answers (`docker info` failed): run `node scripts/ensure-docker.mjs` as root to install and start one.'
if (!dockerUp) console.warn(`csvlake: the container tests are ${required ? 'failing' : 'skipped'}: ${WHY}`)

const ROWS = 300
function peopleCsv(): string {
  const lines = ['id,name,city']
  for (let i = 1; i <= ROWS; i++) lines.push(`${i},Person ${i},${['Oslo', 'Paris', 'Lima'][i % 3]}`)
  return lines.join('\n') + '\n'
}

// Skipped only where Docker cannot run and nobody requires it; where it is required (CI), a missing
// daemon fails every test below, saying why.
describe.skipIf(!dockerUp && !required)('the containerised deployment', () => {
  let deployment: Deployment
  let browser: Browser
  let page: TestPage
  const log = (line: string) => console.log(line)

  beforeAll(async () => {
    if (!dockerUp) throw new Error(WHY)
    const started = Date.now()
    ensureBaseImage({ log })
    await buildImages({ log })
    log(`csvlake: images ready in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    deployment = await up({ name: `test-${process.pid}` })
    browser = await launchBrowser()
    page = await newPage(browser)
  }, 20 * 60_000)
  afterAll(async () => {
    await browser?.close()
    deployment?.down()
  }, 120_000)

  it('builds every image to run as uid 10001, with DuckDB only where local mode runs it and in no aws-mode image', () => {
    for (const fn of FUNCTIONS) {
      for (const mode of ['local', 'aws'] as const) {
        const ref = imageRef(fn, mode)
        expect(docker(['image', 'inspect', '--format', '{{.Config.User}}', ref]).stdout.trim(), ref).toBe('10001:10001')
        const hasDuckdb = docker(['run', '--rm', '--entrypoint', '/bin/sh', ref, '-c', 'test -e /app/node_modules/@duckdb/node-bindings-linux-x64']).status === 0
        expect(hasDuckdb, ref).toBe(mode === 'local' && runtimeOf(fn, mode) === 'duckdb')
      }
    }
    expect(['job-status', 'query', 'submit'].map((fn) => runtimeOf(fn as 'query', 'local'))).toEqual(['duckdb', 'duckdb', 'duckdb'])
    for (const ref of [imageRef('web'), imageRef('ingress'), imageRef('prepare', 'aws')]) expect(docker(['image', 'inspect', '--format', '{{.Config.User}}', ref]).stdout.trim(), ref).toBe('10001:10001')
  })

  it('runs the prepare image as the ingest state machine runs its EKS Jobs: read-only, uid 10001, staging then converting a gzipped upload against S3 (s3rver) and Glue (over HTTP, answered by FakeGlue)', async () => {
    const s3 = await startS3rver('csvlake-prepare-image')
    const glue = new FakeGlue()
    const glueHttp = await glueOverHttp(glue)
    try {
      const store = new S3ObjectStore({ s3: s3.client, bucket: s3.bucket })
      const csv = 'id,name,price\r\n1,Zoë,2.5\r\n2,"b\nc",3\r\n'
      const { names, env } = await givenPreparedJob({ store, glue, bucket: s3.bucket }, `image${process.pid}`, gzipSync(csv), { dialect: { compression: 'gzip', lineEnding: '\r\n' } })
      const jobEnv = { ...env, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_GLUE: glueHttp.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey }
      // The Job's container: its args after the image, its environment as the state machine sets it.
      const job = (step: string) => dockerAsync(['run', '--rm', '--network', 'host', ...hardened(), ...Object.entries(jobEnv).flatMap(([k, v]) => ['-e', `${k}=${v}`]), imageRef('prepare', 'aws'), 'ingest', step])
      expect(await job('stage')).toContain('"message":"prepare: done"')
      expect(Buffer.from((await store.getBytes(names.stagedKey))!).toString('utf8')).toBe('id,name,price\n1,Zoë,2.5\n2,"b\nc",3\n')
      expect(await job('convert')).toContain('"rowsLoaded":2')
      expect(JSON.parse(Buffer.from((await store.getBytes(names.outcomeKey))!).toString('utf8'))).toMatchObject({ rowsRead: 2, rowsLoaded: 2, rowsRejected: 0 })
      const part = (await store.getBytes(names.partKey))!
      expect(Buffer.from(part.subarray(0, 4)).toString('latin1')).toBe('PAR1')
    } finally {
      await new Promise<void>((done) => glueHttp.server.close(() => done()))
      await s3.close()
    }
  }, 120_000)

  it('runs every container read-only as uid 10001, the functions sharing one process namespace', () => {
    for (const service of [...FUNCTIONS, 'web', 'ingress'] as const) {
      const name = deployment.container(service)
      expect(docker(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.State.Running}}', name]).stdout.trim(), name).toBe('true 10001:10001 true')
    }
    // Every function sees the others' processes (disk locks name pids): one namespace, so each pid is one process.
    // (The bracket keeps this grep from matching its own shell.)
    const mains = docker(['exec', deployment.container('query'), '/bin/sh', '-c', 'grep -las "/app/mai[n].mjs" /proc/[0-9]*/cmdline']).stdout.split('\n').filter(Boolean)
    expect(mains).toHaveLength(FUNCTIONS.length)
  })

  it('routes every rule of the routing table, through the ingress, to the service it names', async () => {
    const table = routingTable()
    const paths = table.flatMap((r) => (r.path === '/' ? ['/', '/query/'] : r.match === 'exact' ? [r.path] : [r.path, `${r.path}/x_1`]))
    for (const path of paths) {
      const res = await fetch(`${deployment.url}${path}`)
      await res.arrayBuffer()
      expect(res.headers.get('x-csvlake-service'), path).toBe(serviceFor(table, path))
    }
    // The docs page's assets come from the docs image's own copy of Swagger UI.
    expect((await fetch(`${deployment.url}/api/docs/swagger-ui.css`)).status).toBe(200)
  })

  it('serves the journey in Chromium through the ingress, and loses nothing when the query function scales to zero and back', async () => {
    await page.goto(`${deployment.url}/`)
    await expect.poll(() => page.getByText('No files yet').isVisible()).toBe(true)
    await page.setInputFiles('[data-testid=file-input]', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(peopleCsv()) })
    const previewLink = page.getByRole('link', { name: 'Preview and submit' })
    await previewLink.waitFor()
    await previewLink.click()
    const rows = page.getByRole('region', { name: 'Preview rows' }).or(page.getByLabel('Preview rows'))
    await rows.getByText('Person 7', { exact: true }).waitFor()
    await expect.poll(() => page.getByLabel('Table name').inputValue()).toBe('people')
    await page.getByRole('button', { name: 'Load into people' }).click()
    await page.waitForURL(/\/jobs\/\?id=j_/)
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 60_000 }).toBe('Succeeded')
    expect(await page.getByText(`${ROWS} rows loaded`).count()).toBe(1)
    await page.getByRole('link', { name: 'Query people' }).click()
    await page.waitForURL(/\/query\/\?table=people/)
    await page.getByTestId('query-summary').waitFor({ timeout: 60_000 })
    await screenshot(page, 'containers-01-query')

    const sql = "SELECT city, count(*) AS n FROM people GROUP BY city ORDER BY city"
    const first = await (await fetch(`${deployment.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) })).json()
    expect(first).toMatchObject({ status: 'SUCCEEDED', rows: [['Lima', 100], ['Oslo', 100], ['Paris', 100]] })

    // Scaled to zero: the ingress has nobody to send query calls to, the rest still answers.
    deployment.stop('query')
    const down = await fetch(`${deployment.url}/api/query/${first.queryId}`)
    await down.arrayBuffer()
    expect(down.status).toBeGreaterThanOrEqual(502)
    expect(down.headers.get('x-csvlake-service')).toBe('query')
    expect((await (await fetch(`${deployment.url}/api/files`)).json()).files.map((f: { name: string }) => f.name)).toEqual(['people.csv'])

    // And back: the earlier query's result, the table and the upload are all still there.
    await deployment.start('query')
    const again = await (await fetch(`${deployment.url}/api/query/${first.queryId}`)).json()
    expect(again).toMatchObject({ queryId: first.queryId, status: 'SUCCEEDED', rows: [['Lima', 100], ['Oslo', 100], ['Paris', 100]] })
    await page.reload()
    const editor = page.locator('.cm-content')
    await editor.click()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.press('Backspace')
    await editor.pressSequentially('SELECT count(*) AS n FROM people')
    await page.keyboard.press('Escape')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByTestId('query-summary').innerText(), { timeout: 60_000 }).toMatch(/^1 row · /)
    expect(await page.getByRole('gridcell').first().innerText()).toBe(String(ROWS))
    await screenshot(page, 'containers-02-query-after-restart')

    await page.goto(`${deployment.url}/`)
    await expect.poll(() => page.getByRole('table', { name: 'Uploaded files' }).getByText('people.csv').isVisible()).toBe(true)
    expect(page.problems).toEqual([])
  }, 180_000)
})
