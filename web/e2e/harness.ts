import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { stopProcess } from '../../functions/testing/built-process.ts'

/**
 * Helpers for the browser tests: vitest (node environment) driving the machine's Chromium through
 * playwright-core, against the built app served exactly as `npm start` serves it. No browser is ever
 * downloaded: `npm test` runs scripts/ensure-chromium.mjs (Debian's chromium) and the build first.
 */

export const REPO = join(import.meta.dirname, '..', '..')
export const SCREENSHOTS = join(REPO, '.artifacts', 'screenshots')

/** The path `command -v chromium` prints. */
export function chromiumPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' })
  const path = found.status === 0 ? found.stdout.trim() : existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : ''
  if (!path) throw new Error('No chromium on the PATH: run `node scripts/ensure-chromium.mjs` (npm test does), or apt-get install -y chromium.')
  return path
}

/**
 * Headless Chromium. The machine's network is closed: the flags keep Chromium from reaching for
 * Google (component updates, sync, QUIC, background fetches) so a test never waits on that.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A port nobody listens on right now (the OS picks it; we close it again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export type App = {
  /** `http://localhost:PORT` (no trailing slash): the web UI at `/`, the API under `/api`. */
  url: string
  /** The app's fresh CSVLAKE_DATA_DIR. */
  dataDir: string
  /** Stops the app and removes its data folder. */
  close: () => Promise<void>
}

/**
 * Starts the built app as `npm start` serves it (`node dist/gateway.mjs`, web UI from web/out) on a
 * free port with a fresh data folder (unless `env` names one), and waits until it says it is listening. `env` is added to
 * (and overrides) the environment; pass `PORT` to choose the port - e.g. from `freePort()` - when
 * the URL must be known first (an OpenID issuer needs the app's redirect URI before it starts).
 * Assumes `npm run build` ran (npm test does it before vitest).
 */
export async function startApp(env: Record<string, string> = {}, opts: { timeoutMs?: number } = {}): Promise<App> {
  const gateway = join(REPO, 'dist', 'gateway.mjs')
  if (!existsSync(gateway)) throw new Error(`${gateway} is missing: run \`npm run build\` first (npm test does).`)
  if (!existsSync(join(REPO, 'web', 'out', 'index.html'))) throw new Error('web/out has no index.html: run `npm run build` first (npm test does).')
  const port = env.PORT ?? String(await freePort())
  // A data folder given in `env` is the caller's to keep; the fresh one is removed on close.
  const ours = env.CSVLAKE_DATA_DIR === undefined
  const dataDir = env.CSVLAKE_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'csvlake-e2e-')))
  const removeData = () => (ours ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve())
  let child: ChildProcess
  try {
    child = await listening(gateway, { ...env, PORT: port, CSVLAKE_DATA_DIR: dataDir }, opts.timeoutMs ?? 20_000)
  } catch (err) {
    await removeData()
    throw err
  }
  return {
    url: `http://localhost:${port}`,
    dataDir,
    close: async () => {
      await stopProcess(child)
      await removeData()
    },
  }
}

/** Spawns the bundle with the project's Node and resolves once a stdout line contains `listening`. */
function listening(file: string, env: Record<string, string>, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [file], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000)
  }
  return new Promise((resolve, reject) => {
    let buffered = ''
    const fail = (why: string) => {
      clearTimeout(timer)
      if (child.exitCode === null) child.kill('SIGKILL')
      reject(new Error(`${why}\n--- its output ---\n${output}`))
    }
    const timer = setTimeout(() => fail(`node ${file} did not say it was listening within ${timeoutMs} ms`), timeoutMs)
    child.stderr!.on('data', keep)
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk)
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      if (lines.some((line) => line.includes('listening'))) {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        resolve(child)
      }
    })
    child.once('exit', (code, signal) => fail(`node ${file} exited early (${signal ?? `code ${code}`})`))
  })
}

/** Saves a full-page PNG to .artifacts/screenshots/<name>.png and answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/**
 * Something that went wrong in a page, recorded as it happened:
 * - `console`: a `console.error(...)` of the page, and Chromium's own console errors such as
 *   "Failed to load resource: the server responded with a status of 401" (`url`, when known, is
 *   the script or resource it came from; pages loaded from data: URLs have none);
 * - `pageerror`: an exception nothing caught (`message` is its message);
 * - `requestfailed`: a request that got no answer at all (refused, DNS, CORS, blocked; `message`
 *   is Chromium's error text such as `net::ERR_CONNECTION_REFUSED`, `url` the request's URL).
 *   An HTTP error status is an answer, not a failed request: Chromium logs it as a `console` problem.
 *   (Chromium also logs each failed request to the console as "Failed to load resource: net::...";
 *   those duplicates are left out.)
 */
export type PageProblem = { kind: 'console' | 'pageerror' | 'requestfailed'; message: string; url?: string }

export type TestPage = Page & {
  /** Every problem since the page opened, in order: `expect(page.problems).toEqual([])`. */
  problems: PageProblem[]
}

export type NewPageOptions = {
  colorScheme?: 'light' | 'dark' | 'no-preference'
  /** Default 1280x800. */
  viewport?: { width: number; height: number }
  /**
   * Problems not to record, matched against `message` and `url` (a string matches as a substring).
   * Default: `net::ERR_ABORTED` - requests the browser itself cancels when the page navigates away.
   */
  ignore?: (string | RegExp)[]
  /** Anything else for the browser context (locale, timezone, storage state, ...). */
  context?: BrowserContextOptions
}

/**
 * A page in a new browser context (its own cookies and storage) with a 1280x800 viewport, that
 * records console errors, uncaught exceptions and failed requests in `page.problems`. Close it
 * with `await page.context().close()` (closing the browser closes it too).
 */
export async function newPage(browser: Browser, opts: NewPageOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? 'light',
    ...opts.context,
  })
  const page = (await context.newPage()) as TestPage
  const ignore = opts.ignore ?? ['net::ERR_ABORTED']
  const problems: PageProblem[] = []
  const record = (problem: PageProblem) => {
    const ignored = ignore.some((p) =>
      [problem.message, problem.url ?? ''].some((text) => (typeof p === 'string' ? text.includes(p) : p.test(text))),
    )
    if (!ignored) problems.push(problem)
  }
  page.problems = problems
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    // The same event as a `requestfailed` problem, which says it with the request's URL.
    if (text.startsWith('Failed to load resource: net::')) return
    const url = message.location().url
    record(url ? { kind: 'console', message: text, url } : { kind: 'console', message: text })
  })
  page.on('pageerror', (error) => record({ kind: 'pageerror', message: error.message }))
  page.on('requestfailed', (request) =>
    record({ kind: 'requestfailed', message: request.failure()?.errorText ?? 'failed', url: request.url() }),
  )
  return page
}
