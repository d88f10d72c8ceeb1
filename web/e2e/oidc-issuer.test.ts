// The local OpenID provider of the sign-in browser test, proven without a browser: the flow
// @auth0/auth0-spa-js runs (authorization code + PKCE, Auth0's paths and parameters) done over plain
// HTTP through the dev sign-in and consent forms, and the tokens checked the way the SDK and a real
// csvlake gateway check them.
import { createHash, randomBytes } from 'node:crypto'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startApp, type App } from './harness.ts'
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer.ts'

const clientId = 'csvlake-web-test'
const audience = 'https://api.csvlake.test'
// The app's port is chosen first: the issuer must know the app's origin and redirect URI.
const appPort = await freePort()
const appOrigin = `http://localhost:${appPort}`
const redirectUri = `${appOrigin}/`
/** What the web app asks for (web/lib/auth.tsx); the SDK's own default is `openid profile email`. */
const APP_SCOPE = 'openid profile email offline_access read:data write:data'
const auth0Client = Buffer.from(JSON.stringify({ name: 'auth0-spa-js', version: '2.27.0' })).toString('base64')

let idp: OidcIssuer
let api: App

beforeAll(async () => {
  idp = await startOidcIssuer({ clientId, redirectUris: [redirectUri], audience, appOrigin })
  // The built gateway, as `npm start` serves it (csvlake fetches the issuer's keys itself).
  api = await startApp({
    PORT: String(appPort),
    CSVLAKE_AUTH_ISSUER: idp.issuer,
    CSVLAKE_AUTH_AUDIENCE: audience,
    CSVLAKE_AUTH_CLIENT_ID: clientId,
    CSVLAKE_AUTH_JWKS_URL: idp.jwksUrl,
  })
})

afterAll(async () => {
  await api?.close()
  await idp?.close()
})

/** A browser's cookies for one host (the issuer), enough for its session and interaction cookies. */
class CookieJar {
  #cookies = new Map<string, string>()
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim())
        return (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) || (k.toLowerCase() === 'max-age' && Number(v) <= 0)
      })
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

const base64url = (bytes: Buffer) => bytes.toString('base64url')

/** The authorize URL the SDK's loginWithRedirect() opens, with what it must remember for the callback. */
function authorizeRequest(scope = APP_SCOPE, extra: Record<string, string> = {}) {
  const verifier = base64url(randomBytes(32))
  const state = base64url(randomBytes(16))
  const nonce = base64url(randomBytes(16))
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    audience,
    scope,
    response_type: 'code',
    response_mode: 'query',
    state,
    nonce,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  })
  return { url: `${idp.issuer}authorize?${params}&auth0Client=${encodeURIComponent(auth0Client)}`, verifier, state, nonce }
}

const formAction = (html: string) => /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&')

/**
 * Follows the provider's redirects like a browser, signing in as `login` on the sign-in form and
 * pressing Continue on the consent form, until it redirects to the app. Answers the callback URL
 * and which forms were shown.
 */
async function signIn(jar: CookieJar, startUrl: string, login = 'alice') {
  const forms: string[] = []
  let url = startUrl
  let init: RequestInit = {}
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } })
    jar.store(res)
    init = {}
    const location = res.headers.get('location')
    if (location) {
      const next = new URL(location, url).href
      if (next.startsWith(redirectUri)) return { callback: new URL(next), forms }
      url = next
      continue
    }
    const html = await res.text()
    expect(res.status, html).toBe(200)
    const action = formAction(html)
    if (!action) throw new Error(`no form on ${url}: ${html.slice(0, 500)}`)
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1]
    forms.push(prompt ?? 'unknown')
    const body: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt: prompt ?? '' }
    url = new URL(action, url).href
    init = { method: 'POST', body: new URLSearchParams(body), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
  }
  throw new Error('too many redirects')
}

/** POST /oauth/token as the SDK sends it: form-encoded, from the app's origin, with Auth0-Client. */
function tokenRequest(params: Record<string, string>, origin = appOrigin) {
  return fetch(`${idp.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-client': auth0Client, origin },
    body: new URLSearchParams({ client_id: clientId, ...params }),
  })
}

type Tokens = { access_token: string; id_token: string; refresh_token?: string; token_type: string; expires_in: number; scope?: string }

async function signInAndExchange(scope = APP_SCOPE, login = 'alice') {
  const jar = new CookieJar()
  const request = authorizeRequest(scope)
  const { callback, forms } = await signIn(jar, request.url, login)
  expect(callback.searchParams.get('state')).toBe(request.state)
  const code = callback.searchParams.get('code')
  expect(code, callback.href).toBeTruthy()
  const res = await tokenRequest({ grant_type: 'authorization_code', code: code!, code_verifier: request.verifier, redirect_uri: redirectUri })
  const tokens = (await res.json()) as Tokens
  expect(res.status, JSON.stringify(tokens)).toBe(200)
  return { tokens, request, forms, jar }
}

const files = (token?: string) => fetch(`${api.url}/api/files`, token ? { headers: { authorization: `Bearer ${token}` } } : {})

describe('the local OpenID provider, as @auth0/auth0-spa-js uses it', () => {
  it('signs in through the dev sign-in and consent forms and answers an ID token the SDK accepts', async () => {
    const { tokens, request, forms } = await signInAndExchange()
    expect(forms).toEqual(['login', 'consent'])
    expect(tokens.token_type).toBe('Bearer')

    // What the SDK checks (iss = domain + '/', aud = client id, the nonce, RS256), verified for real.
    expect(idp.issuer).toBe(`http://localhost:${idp.port}/`)
    expect(decodeProtectedHeader(tokens.id_token).alg).toBe('RS256')
    const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(idp.jwksUrl)), { issuer: idp.issuer, audience: clientId })
    expect(payload).toMatchObject({ sub: 'alice', nonce: request.nonce, name: 'alice', email: 'alice@example.test' })
  })

  it('issues RS256 JWT access tokens for the audience, with the login as sub and the permissions claim', async () => {
    const { tokens } = await signInAndExchange()
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' })
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(idp.jwksUrl)), { issuer: idp.issuer, audience })
    expect(payload).toMatchObject({ sub: 'alice', aud: audience, client_id: clientId, permissions: ['read:data', 'write:data'] })
  })

  it('puts the permissions claim in the access token even when no API scope is asked for (the SDK default scope)', async () => {
    const { tokens } = await signInAndExchange('openid profile email offline_access', 'bob')
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'bob', aud: audience, permissions: ['read:data', 'write:data'] })
    expect(tokens.refresh_token).toBeTruthy()
  })

  it('answers access tokens a csvlake gateway configured with the issuer accepts, and csvlake refuses calls without one', async () => {
    const { tokens } = await signInAndExchange()
    expect((await files(tokens.access_token)).status).toBe(200)
    const refused = await files()
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })

    // write:data too, and the login name is the tenant: carol's upload is hers alone.
    const carol = (await signInAndExchange(APP_SCOPE, 'carol')).tokens.access_token
    const form = new FormData()
    form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'people.csv')
    const uploaded = await fetch(`${api.url}/api/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${carol}` } })
    expect(uploaded.status).toBe(201)
    const { fileId } = (await uploaded.json()) as { fileId: string }
    const listed = async (token: string) => ((await (await files(token)).json()) as { files: { fileId: string }[] }).files.map((f) => f.fileId)
    expect(await listed(carol)).toEqual([fileId])
    expect(await listed(tokens.access_token)).toEqual([])
    expect((await fetch(`${api.url}/api/upload`, { method: 'POST', body: form })).status).toBe(401)
  })

  it('renews the access token with the refresh token (rotated), and csvlake accepts the new one', async () => {
    const { tokens } = await signInAndExchange()
    expect(tokens.refresh_token).toBeTruthy()
    const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
    const renewed = (await res.json()) as Tokens
    expect(res.status, JSON.stringify(renewed)).toBe(200)
    expect(renewed.access_token).not.toBe(tokens.access_token)
    expect(renewed.refresh_token).toBeTruthy()
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token)
    expect(decodeJwt(renewed.access_token)).toMatchObject({ sub: 'alice', aud: audience, permissions: ['read:data', 'write:data'] })
    expect((await files(renewed.access_token)).status).toBe(200)
  })

  it('lets the app origin call the token endpoint cross-origin (CORS preflight and response) and refuses other origins', async () => {
    const preflight = await fetch(`${idp.issuer}oauth/token`, {
      method: 'OPTIONS',
      headers: { origin: appOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'auth0-client,content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(appOrigin)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('auth0-client')

    const { jar } = await signInAndExchange()
    const again = authorizeRequest()
    const { callback } = await signIn(jar, again.url)
    const res = await tokenRequest({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, code_verifier: again.verifier, redirect_uri: redirectUri })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(appOrigin)

    const foreign = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x' }, 'http://evil.test')
    expect(foreign.status).toBe(400)
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('keeps the provider session so a second sign-in skips the forms, until /v2/logout ends it and returns to the app', async () => {
    const { jar } = await signInAndExchange()
    expect((await signIn(jar, authorizeRequest().url)).forms).toEqual([])

    const logout = await fetch(`${idp.issuer}v2/logout?${new URLSearchParams({ client_id: clientId, returnTo: redirectUri })}`, {
      redirect: 'manual',
      headers: { cookie: jar.header() },
    })
    jar.store(logout)
    expect(logout.status).toBe(302)
    expect(logout.headers.get('location')).toBe(redirectUri)
    // Consent is remembered per user (as Auth0 does): only the sign-in form this time.
    expect((await signIn(jar, authorizeRequest().url)).forms).toEqual(['login'])

    const elsewhere = await fetch(`${idp.issuer}v2/logout?returnTo=${encodeURIComponent('http://evil.test/')}`, { redirect: 'manual' })
    expect(elsewhere.status).toBe(400)
  })

  it('answers a silent sign-in (prompt=none, response_mode=web_message, the SDK iframe) with a code posted to the app', async () => {
    const { jar } = await signInAndExchange()
    const silent = authorizeRequest(APP_SCOPE, { prompt: 'none', response_mode: 'web_message' })
    const res = await fetch(silent.url, { headers: { cookie: jar.header() } })
    const html = await res.text()
    expect(res.status).toBe(200)
    expect(html).toContain('authorization_response')
    expect(html).toMatch(/"code":"[^"]+"/)
    expect(html).toContain(`"state":"${silent.state}"`)

    const signedOut = await fetch(authorizeRequest(APP_SCOPE, { prompt: 'none', response_mode: 'web_message' }).url)
    expect(await signedOut.text()).toContain('login_required')
  })

  it('refuses an audience that is not the API it knows, as Auth0 does', async () => {
    const params = new URL(authorizeRequest().url)
    params.searchParams.set('audience', 'https://other.example/')
    const res = await fetch(params, { redirect: 'manual' })
    const location = new URL(res.headers.get('location') ?? '', idp.issuer)
    expect(location.href.startsWith(redirectUri)).toBe(true)
    expect(location.searchParams.get('error')).toBe('invalid_target')
  })
})
