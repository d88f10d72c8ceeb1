import { render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ApiConfig } from './api/client'
import { auth0Options, SessionProvider, useApi, useSession, type Session } from './auth'

// The Auth0 SDK, loaded by SessionProvider only when the API requires sign-in.
const sdk = vi.hoisted(() => ({
  created: [] as unknown[],
  authenticated: true,
  loginWithRedirect: vi.fn(async (_options?: unknown) => {}),
  /** Where the user was when sign-in started, as the SDK keeps it across the redirect. */
  returnTo: undefined as string | undefined,
  handleRedirectCallback: vi.fn(async (): Promise<{ appState?: { returnTo?: string } }> => ({ appState: { returnTo: sdk.returnTo } })),
  logout: vi.fn(async (_options?: unknown) => {}),
  getTokenSilently: vi.fn(async () => 'access-token-1'),
}))
vi.mock('@auth0/auth0-spa-js', () => ({
  Auth0Client: class {
    constructor(options: unknown) {
      sdk.created.push(options)
    }
    loginWithRedirect = sdk.loginWithRedirect
    handleRedirectCallback = sdk.handleRedirectCallback
    checkSession = async () => {}
    isAuthenticated = async () => sdk.authenticated
    getUser = async () => ({ nickname: 'ann', email: 'ann@example.com', sub: 'auth0|1' })
    getTokenSilently = sdk.getTokenSilently
    logout = sdk.logout
  },
}))

const BASE = 'http://api.test'
const IDENTITY = { enabled: true, issuer: 'https://tenant.eu.auth0.com/', clientId: 'client-1', audience: 'https://api.csvlake' }

/** The API: /api/config answers `config`; /api/tables records the authorization header it got. */
function serve(config: ApiConfig) {
  const seen: (string | null)[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url)
      if (url.pathname === '/api/config') return Response.json(config)
      if (url.pathname === '/api/tables') {
        seen.push(input.headers.get('authorization'))
        return input.headers.get('authorization') === 'Bearer access-token-1'
          ? Response.json({ tables: [] })
          : Response.json({ error: { code: 'UNAUTHORIZED', message: 'Sign in again' } }, { status: 401 })
      }
      return new Response('not found', { status: 404 })
    }),
  )
  return seen
}

let session: Session = { status: 'loading' }
function Probe() {
  session = useSession()
  return <p data-testid="status">{session.status}</p>
}
const renderSession = () => render(<SessionProvider baseUrl={BASE}><Probe /></SessionProvider>)
const settled = async (status: Session['status']) => waitFor(() => expect(screen.getByTestId('status')).toHaveTextContent(status))

beforeEach(() => {
  sdk.created = []
  sdk.authenticated = true
  sdk.returnTo = undefined
  for (const fn of [sdk.loginWithRedirect, sdk.handleRedirectCallback, sdk.logout, sdk.getTokenSilently]) fn.mockClear()
  window.history.replaceState(null, '', '/')
})
afterEach(() => vi.unstubAllGlobals())

describe('auth0Options', () => {
  it('uses the host of an https issuer as the Auth0 domain', () => {
    const options = auth0Options({ enabled: true, issuer: 'https://tenant.eu.auth0.com/', clientId: 'client-1', audience: 'https://api.csvlake' }, 'https://csvlake.example')
    expect(options.domain).toBe('tenant.eu.auth0.com')
    expect(options.clientId).toBe('client-1')
  })

  it('keeps the scheme of a plain-http issuer (a local identity provider)', () => {
    const options = auth0Options({ enabled: true, issuer: 'http://localhost:4000/', clientId: 'c' }, 'http://localhost:3000')
    expect(options.domain).toBe('http://localhost:4000')
  })

  it('falls back to the domain when there is no issuer', () => {
    expect(auth0Options({ enabled: true, domain: 'tenant.us.auth0.com', clientId: 'c' }, 'https://x').domain).toBe('tenant.us.auth0.com')
  })

  it('asks for the API audience, comes back to the origin, and renews with refresh tokens', () => {
    const options = auth0Options({ enabled: true, issuer: 'https://tenant.eu.auth0.com/', clientId: 'c', audience: 'https://api.csvlake' }, 'https://csvlake.example')
    expect(options.authorizationParams.audience).toBe('https://api.csvlake')
    expect(options.authorizationParams.redirect_uri).toBe('https://csvlake.example/')
    expect(options.authorizationParams.scope.split(' ')).toContain('offline_access')
    expect(options.useRefreshTokens).toBe(true)
    expect(options.cacheLocation).toBe('localstorage')
  })

  it('sends an empty client id rather than undefined when the server names none', () => {
    expect(auth0Options({ enabled: true, issuer: 'https://t.auth0.com/' }, 'https://x').clientId).toBe('')
  })
})

describe('SessionProvider', () => {
  it('is loading until the config has come', () => {
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>(() => {})))
    renderSession()
    expect(screen.getByTestId('status')).toHaveTextContent('loading')
  })

  it('is ready for the local user, without the sign-in SDK, when identity is off', async () => {
    const seen = serve({ mode: 'local', identity: { enabled: false }, maxUploadBytes: 1 })
    renderSession()
    await settled('ready')
    expect(session).toMatchObject({ status: 'ready', user: null, signOut: null, config: { mode: 'local' } })
    expect(sdk.created).toHaveLength(0)
    if (session.status === 'ready') await session.api.tables().catch(() => undefined)
    expect(seen).toEqual([null])
  })

  it('configures the SDK from the config, and signs the user in with the API token on every call', async () => {
    const seen = serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    renderSession()
    await settled('ready')
    expect(sdk.created).toEqual([auth0Options(IDENTITY, window.location.origin)])
    expect(session).toMatchObject({ status: 'ready', user: { name: 'ann', email: 'ann@example.com' } })
    if (session.status !== 'ready') throw new Error('not ready')
    await expect(session.api.tables()).resolves.toEqual([])
    expect(seen).toEqual(['Bearer access-token-1'])
  })

  it('is signed out when there is no Auth0 session, and signIn keeps the place', async () => {
    sdk.authenticated = false
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    window.history.replaceState(null, '', '/query/?table=orders#x')
    renderSession()
    await settled('signed-out')
    if (session.status !== 'signed-out') throw new Error('not signed out')
    session.signIn()
    expect(sdk.loginWithRedirect).toHaveBeenCalledExactlyOnceWith({ appState: { returnTo: '/query/?table=orders#x' } })
  })

  it('finishes a sign-in redirect that started at the start page, and clears the code from the URL', async () => {
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    sdk.returnTo = '/'
    window.history.replaceState(null, '', '/?code=abc&state=xyz')
    renderSession()
    await settled('ready')
    expect(sdk.handleRedirectCallback).toHaveBeenCalledTimes(1)
    expect(`${window.location.pathname}${window.location.search}`).toBe('/')
    expect(session).toMatchObject({ status: 'ready', user: { name: 'ann' } })
  })

  it('after a sign-in redirect, leaves for the page the user was on without showing the start page first', async () => {
    // The app goes back with location.replace (jsdom cannot follow it): until the page is replaced
    // the session stays loading, and the start page is never shown nor put in the history.
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    sdk.returnTo = '/query/?table=orders'
    window.history.replaceState(null, '', '/?code=abc&state=xyz')
    const replaceState = vi.spyOn(window.history, 'replaceState')
    renderSession()
    await waitFor(() => expect(sdk.handleRedirectCallback).toHaveBeenCalledTimes(1))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(screen.getByTestId('status')).toHaveTextContent('loading')
    expect(replaceState).not.toHaveBeenCalled()
    replaceState.mockRestore()
  })

  it('does not follow a return path that leaves the site (//host is another origin)', async () => {
    // returnTo comes from the URL the user was on; https://csvlake.example//evil.example/ gives
    // "//evil.example/", which starts with "/" but is a protocol-relative URL to another site.
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    sdk.returnTo = '//evil.example/phish'
    window.history.replaceState(null, '', '/?code=abc&state=xyz')
    renderSession()
    await settled('ready')
    expect(window.location.origin).toBe('http://localhost:3000')
    expect(`${window.location.pathname}${window.location.search}`).toBe('/')
  })

  it('a 401 from the API sends the user to sign in again', async () => {
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    renderSession()
    await settled('ready')
    if (session.status !== 'ready') throw new Error('not ready')
    sdk.getTokenSilently.mockResolvedValueOnce('expired')
    await expect(session.api.tables()).rejects.toMatchObject({ status: 401 })
    expect(sdk.loginWithRedirect).toHaveBeenCalledExactlyOnceWith({ appState: { returnTo: '/' } })
  })

  it('signs out back to the start page', async () => {
    serve({ mode: 'aws', identity: IDENTITY, maxUploadBytes: 1 })
    renderSession()
    await settled('ready')
    if (session.status !== 'ready') throw new Error('not ready')
    session.signOut?.()
    expect(sdk.logout).toHaveBeenCalledExactlyOnceWith({ logoutParams: { returnTo: `${window.location.origin}/` } })
  })

  it('is an error, in words, when sign-in is on but there is no client id', async () => {
    serve({ mode: 'aws', identity: { enabled: true, issuer: 'https://t.auth0.com/' }, maxUploadBytes: 1 })
    renderSession()
    await settled('error')
    expect(session).toEqual({ status: 'error', message: 'Sign-in is required, but the server names no client id: set CSVLAKE_AUTH_CLIENT_ID.' })
  })

  it('is an error with the reason when the config cannot be had', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    renderSession()
    await settled('error')
    expect(session).toEqual({ status: 'error', message: 'Failed to fetch' })
  })
})

describe('useApi', () => {
  it('refuses to be used outside a ready session', () => {
    function UsesApi() {
      useApi()
      return null
    }
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(() => render(<UsesApi />)).toThrow('useApi outside a ready session')
    vi.mocked(console.error).mockRestore()
  })

  it('gives the API of a ready session', async () => {
    serve({ mode: 'local', identity: { enabled: false }, maxUploadBytes: 1 })
    let api: unknown
    function UsesApi() {
      const s = useSession()
      if (s.status !== 'ready') return null
      return <Inner />
    }
    function Inner() {
      api = useApi()
      return <p>has api</p>
    }
    render(<SessionProvider baseUrl={BASE}><UsesApi /></SessionProvider>)
    await screen.findByText('has api')
    expect(api).toHaveProperty('runQuery')
  })
})

