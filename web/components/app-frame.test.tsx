import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApi, NO_AUTH, type ApiConfig } from '@/lib/api/client'
import { ReadySessionProvider, SessionProvider, type Session } from '@/lib/auth'
import { AppFrame } from './app-frame'

const nav = vi.hoisted(() => ({ pathname: '/' as string | null }))
vi.mock('next/navigation', () => ({ usePathname: () => nav.pathname }))

// The Auth0 SDK, as SessionProvider loads it when the API requires sign-in.
const auth0 = vi.hoisted(() => ({
  authenticated: false,
  options: undefined as unknown,
  loginWithRedirect: vi.fn(async (_options?: unknown) => {}),
}))
vi.mock('@auth0/auth0-spa-js', () => ({
  Auth0Client: class {
    constructor(options: unknown) {
      auth0.options = options
    }
    loginWithRedirect = auth0.loginWithRedirect
    checkSession = async () => {}
    isAuthenticated = async () => auth0.authenticated
    getUser = async () => ({ name: 'Ann Example', email: 'ann@example.com', sub: 'auth0|1' })
    getTokenSilently = async () => 'tok'
    handleRedirectCallback = async () => ({ appState: {} })
    logout = async () => {}
  },
}))

const BASE = 'http://api.test'
const config = (identity: ApiConfig['identity'] = { enabled: false }): ApiConfig => ({ mode: 'local', identity, maxUploadBytes: 1024 })

/** /api/config answers with `answer`; SessionProvider reads it through a client it makes on mount. */
function serveConfig(answer: () => Response) {
  vi.stubGlobal('fetch', vi.fn(async () => answer()))
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const ready = (patch: Partial<Extract<Session, { status: 'ready' }>> = {}): Extract<Session, { status: 'ready' }> => ({
  status: 'ready',
  api: createApi(NO_AUTH, BASE),
  config: config(),
  user: null,
  signOut: null,
  ...patch,
})

const page = <p>Page content</p>

beforeEach(() => {
  nav.pathname = '/'
  auth0.authenticated = false
  auth0.loginWithRedirect.mockClear()
})
afterEach(() => vi.unstubAllGlobals())

describe('AppFrame', () => {
  it('shows the page inside a ready session', () => {
    render(<ReadySessionProvider session={ready()}><AppFrame>{page}</AppFrame></ReadySessionProvider>)
    expect(screen.getByText('Page content')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument()
  })

  it('shows the local user and the mode when sign-in is off', () => {
    render(<ReadySessionProvider session={ready({ config: { ...config(), mode: 'aws' } })}><AppFrame>{page}</AppFrame></ReadySessionProvider>)
    expect(screen.getByText('Local user')).toBeInTheDocument()
    expect(screen.getByText('aws')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Signed in as/ })).not.toBeInTheDocument()
  })

  it("shows a signed-in user's name, with Sign out in the menu", async () => {
    const signOut = vi.fn()
    const user = userEvent.setup()
    render(
      <ReadySessionProvider session={ready({ user: { name: 'ann', email: 'ann@example.com' }, signOut })}>
        <AppFrame>{page}</AppFrame>
      </ReadySessionProvider>,
    )
    const trigger = screen.getByRole('button', { name: 'Signed in as ann' })
    expect(trigger).toHaveTextContent('Aann')
    await user.click(trigger)
    const menu = await screen.findByRole('menu')
    expect(menu).toHaveTextContent('ann')
    expect(menu).toHaveTextContent('ann@example.com')
    await user.click(within(menu).getByRole('menuitem', { name: 'Sign out' }))
    expect(signOut).toHaveBeenCalledTimes(1)
  })

  it('marks the navigation entry of the current page', () => {
    nav.pathname = '/query/'
    render(<ReadySessionProvider session={ready()}><AppFrame>{page}</AppFrame></ReadySessionProvider>)
    const main = screen.getByRole('navigation', { name: 'Main' })
    expect(within(main).getByRole('link', { name: 'Query' })).toHaveAttribute('aria-current', 'page')
    expect(within(main).getByRole('link', { name: 'Data' })).not.toHaveAttribute('aria-current')
  })

  it('counts a file page as the Data section', () => {
    nav.pathname = '/files/'
    render(<ReadySessionProvider session={ready()}><AppFrame>{page}</AppFrame></ReadySessionProvider>)
    expect(screen.getByRole('link', { name: 'Data' })).toHaveAttribute('aria-current', 'page')
  })

  it('shows a loading state, not the page, while the session loads', () => {
    // No provider: the session context's default is loading.
    render(<AppFrame>{page}</AppFrame>)
    expect(screen.getByLabelText('Loading')).toHaveAttribute('aria-busy', 'true')
    expect(screen.queryByText('Page content')).not.toBeInTheDocument()
    expect(screen.queryByText('Local user')).not.toBeInTheDocument()
  })

  it('shows why the app could not start, not the page', async () => {
    serveConfig(() => json(config({ enabled: true, issuer: 'https://tenant.eu.auth0.com/' })))
    render(<SessionProvider baseUrl={BASE}><AppFrame>{page}</AppFrame></SessionProvider>)
    expect(await screen.findByText('csvlake could not start')).toBeInTheDocument()
    expect(screen.getByText('Sign-in is required, but the server names no client id: set CSVLAKE_AUTH_CLIENT_ID.')).toBeInTheDocument()
    expect(screen.queryByText('Page content')).not.toBeInTheDocument()
  })

  it('shows a readable error when the config cannot be loaded', async () => {
    serveConfig(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    render(<SessionProvider baseUrl={BASE}><AppFrame>{page}</AppFrame></SessionProvider>)
    expect(await screen.findByText('csvlake could not start')).toBeInTheDocument()
    expect(screen.getByText('The server answered 502 Bad Gateway')).toBeInTheDocument()
  })

  it('asks a signed-out user to sign in, and Sign in starts the sign-in', async () => {
    serveConfig(() => json(config({ enabled: true, issuer: 'https://tenant.eu.auth0.com/', clientId: 'c1', audience: 'https://api' })))
    render(<SessionProvider baseUrl={BASE}><AppFrame>{page}</AppFrame></SessionProvider>)
    const button = await screen.findByRole('button', { name: 'Sign in' })
    expect(screen.getByText('Sign in to csvlake')).toBeInTheDocument()
    expect(screen.queryByText('Page content')).not.toBeInTheDocument()
    expect(auth0.loginWithRedirect).not.toHaveBeenCalled()
    await userEvent.click(button)
    expect(auth0.loginWithRedirect).toHaveBeenCalledExactlyOnceWith({ appState: { returnTo: '/' } })
  })

  it('shows the page and the user once signed in', async () => {
    auth0.authenticated = true
    serveConfig(() => json(config({ enabled: true, issuer: 'https://tenant.eu.auth0.com/', clientId: 'c1' })))
    render(<SessionProvider baseUrl={BASE}><AppFrame>{page}</AppFrame></SessionProvider>)
    expect(await screen.findByText('Page content')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Signed in as Ann Example' })).toBeInTheDocument()
  })

  it('shows the page for the local user when sign-in is off', async () => {
    serveConfig(() => json(config({ enabled: false })))
    render(<SessionProvider baseUrl={BASE}><AppFrame>{page}</AppFrame></SessionProvider>)
    expect(await screen.findByText('Page content')).toBeInTheDocument()
    expect(screen.getByText('Local user')).toBeInTheDocument()
  })
})
