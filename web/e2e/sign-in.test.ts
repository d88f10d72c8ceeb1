import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, launchBrowser, newPage, screenshot, startApp, type App } from './harness.ts'
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer.ts'

// With identity on, the web signs in for real (Auth0's SPA SDK: authorization code + PKCE) against
// a local OpenID provider, sends the access token on every call, and is refused nothing.

const CLIENT_ID = 'csvlake-web'
const AUDIENCE = 'https://api.csvlake.test'

let issuer: OidcIssuer
let app: App
let browser: Browser

/** The built app with sign-in required, and the local provider it trusts. */
async function startWithIdentity(opts: { accessTokenTtl?: number } = {}) {
  const port = await freePort()
  const origin = `http://localhost:${port}`
  const provider = await startOidcIssuer({ clientId: CLIENT_ID, redirectUris: [`${origin}/`], audience: AUDIENCE, appOrigin: origin, ...opts })
  const started = await startApp({
    PORT: String(port),
    CSVLAKE_AUTH_ISSUER: provider.issuer,
    CSVLAKE_AUTH_AUDIENCE: AUDIENCE,
    CSVLAKE_AUTH_CLIENT_ID: CLIENT_ID,
    CSVLAKE_AUTH_JWKS_URL: provider.jwksUrl,
  })
  return { issuer: provider, app: started }
}

/** The provider's sign-in and consent forms (any login name works; it becomes the user). */
async function signInAs(page: Page, login: string, password: string) {
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill(password)
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

beforeAll(async () => {
  ;({ issuer, app } = await startWithIdentity())
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await issuer?.close()
})

describe('signing in', () => {
  it('signs in with the identity provider, comes back to the page it left, and loads and queries a file with the token', async () => {
    const page = await newPage(browser)
    await page.goto(`${app.url}/jobs/`)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await screenshot(page, '20-sign-in')

    await page.getByRole('button', { name: 'Sign in' }).click()
    await signInAs(page, 'alice', 'wonderland')

    // Back where the user was, signed in.
    await page.waitForURL(`${app.url}/jobs/`)
    await page.getByRole('button', { name: 'Signed in as alice' }).waitFor()
    await page.getByText('No jobs yet').waitFor()

    await page.goto(`${app.url}/`)
    await page.setInputFiles('[data-testid=file-input]', { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from('id,total\n1,9.50\n2,20.25\n') })
    await page.getByRole('link', { name: 'Preview and submit' }).click()
    await page.getByRole('button', { name: 'Load into orders' }).click()
    await expect.poll(() => page.getByTestId('job-status').innerText(), { timeout: 30_000 }).toBe('Succeeded')
    await page.getByRole('link', { name: 'Query orders' }).click()
    // The link runs a first look at the table; a run is ignored while one is going, so wait for it to end.
    await expect.poll(() => page.getByRole('gridcell').first().innerText(), { timeout: 30_000 }).toBe('1')
    await page.locator('.cm-content').click()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.press('Backspace')
    await page.locator('.cm-content').pressSequentially('SELECT sum(total) AS total FROM orders')
    await page.keyboard.press('Escape')
    await page.keyboard.press('ControlOrMeta+Enter')
    await expect.poll(() => page.getByRole('gridcell').first().innerText()).toBe('29.75')
    await screenshot(page, '21-signed-in-query')

    // The export needs the token too: the web asks for a signed link to it and the browser opens that.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    expect(await readFile((await download.path())!, 'utf8')).toBe('total\n29.75\n')
    // Streamed by the browser from a signed link, not fetched into memory.
    expect(download.url()).toMatch(/\/results\.csv\?access=/)
    expect((await fetch(`${app.url}/api/query/${download.suggestedFilename().replace(/\.csv$/, '')}/results.csv`)).status).toBe(401)

    // Every call carried the token: without it the API refuses the same data.
    const anonymous = await fetch(`${app.url}/api/tables`)
    expect(anonymous.status).toBe(401)
    expect(page.problems.filter((p) => !/401|favicon/.test(p.message))).toEqual([])
    await page.context().close()
  })

  it('goes back to sign in when the API refuses the token, and returns to the same page', async () => {
    const page = await newPage(browser)
    await page.goto(`${app.url}/`)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await signInAs(page, 'bob', 'builder')
    await page.getByRole('button', { name: 'Signed in as bob' }).waitFor()

    // Spoil the cached access token: the API answers 401, and the web signs in again by itself
    // (the provider's session is still open, so no form), coming back to the page it was on.
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@'))) {
        const entry = JSON.parse(localStorage.getItem(key)!)
        if (entry.body?.access_token) {
          entry.body.access_token = entry.body.access_token.slice(0, -4) + 'AAAA'
          localStorage.setItem(key, JSON.stringify(entry))
        }
      }
    })
    const visited: string[] = []
    page.on('framenavigated', (frame) => frame === page.mainFrame() && visited.push(frame.url()))
    const refused = page.waitForResponse((r) => r.url().includes('/api/') && r.status() === 401)
    await page.goto(`${app.url}/query/?table=nothing_here`)
    await refused
    // Through the provider and its callback (with a new code), then back to the same page.
    await expect.poll(() => visited.some((url) => url.startsWith(`${app.url}/?code=`)), { timeout: 15_000 }).toBe(true)
    await page.waitForURL(`${app.url}/query/?table=nothing_here`)
    await page.getByRole('button', { name: 'Signed in as bob' }).waitFor()
    // Bob sees none of alice's tables.
    await page.getByText('No tables yet').waitFor()

    await page.getByRole('button', { name: 'Signed in as bob' }).click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await screenshot(page, '22-signed-out')
    await page.context().close()
  })
})

describe('a short-lived access token', () => {
  let shortIssuer: OidcIssuer
  let shortApp: App

  beforeAll(async () => {
    // Tokens that live 30 s are always within the SDK's 60 s margin: every call needs a fresh one.
    ;({ issuer: shortIssuer, app: shortApp } = await startWithIdentity({ accessTokenTtl: 30 }))
  })
  afterAll(async () => {
    await shortApp?.close()
    await shortIssuer?.close()
  })

  it('is renewed silently with the refresh token, without sending the user to sign in again', async () => {
    const page = await newPage(browser)
    await page.goto(`${shortApp.url}/`)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await signInAs(page, 'carol', 'secret')
    await page.getByRole('button', { name: 'Signed in as carol' }).waitFor()

    const refreshes: string[] = []
    page.on('request', (r) => {
      if (r.url().endsWith('/oauth/token') && r.method() === 'POST' && (r.postData() ?? '').includes('grant_type=refresh_token')) refreshes.push(r.url())
    })
    const authorizations: string[] = []
    page.on('framenavigated', (f) => f === page.mainFrame() && f.url().includes('/authorize') && authorizations.push(f.url()))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Query' }).click()
    await page.waitForURL(`${shortApp.url}/query/`)
    // The schema browser's call went through with a renewed token.
    await page.getByRole('tabpanel').getByText('No tables yet').waitFor()
    await expect.poll(() => refreshes.length).toBeGreaterThan(0)
    expect(authorizations).toEqual([])
    expect(page.url()).toBe(`${shortApp.url}/query/`)
    await page.context().close()
  })
})
