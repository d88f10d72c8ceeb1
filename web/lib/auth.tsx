'use client'

import type { Auth0Client } from '@auth0/auth0-spa-js'
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { createApi, type Api, type ApiConfig, type Auth, NO_AUTH } from './api/client'

export type User = { name: string; email?: string; picture?: string }

export type Session =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'signed-out'; signIn: () => void }
  | { status: 'ready'; api: Api; config: ApiConfig; user: User | null; signOut: (() => void) | null }

const SessionContext = createContext<Session>({ status: 'loading' })

/** Where the user was, so signing in (again) brings them back there. */
type AppState = { returnTo?: string }

const here = () => `${window.location.pathname}${window.location.search}${window.location.hash}`

/**
 * The Auth0 SDK's options for the issuer the API names. Auth0 issuers are `https://TENANT/`; a
 * local issuer (tests, development) may be plain http, so the domain keeps its scheme.
 */
export function auth0Options(identity: ApiConfig['identity'], origin: string) {
  const issuer = new URL(identity.issuer ?? `https://${identity.domain}/`)
  return {
    domain: issuer.protocol === 'https:' ? issuer.host : issuer.origin,
    clientId: identity.clientId ?? '',
    authorizationParams: {
      redirect_uri: `${origin}/`,
      audience: identity.audience,
      scope: 'openid profile email offline_access read:data write:data',
    },
    // Tokens survive a reload; refresh tokens renew them without a third-party-cookie iframe.
    cacheLocation: 'localstorage' as const,
    useRefreshTokens: true,
    useRefreshTokensFallback: true,
  }
}

/**
 * Loads /api/config, and when the API requires sign-in, signs the user in with Auth0's SPA SDK
 * (authorization code + PKCE), hands every API call a fresh access token, and sends the user back
 * to sign in - keeping their place - when the API refuses the token. With identity off, the web
 * is the one local user and shows no login at all.
 */
export function SessionProvider({ children, baseUrl = '' }: { children: ReactNode; baseUrl?: string }) {
  const [session, setSession] = useState<Session>({ status: 'loading' })
  const auth0 = useRef<Auth0Client | null>(null)

  const signIn = useCallback((returnTo = here()) => {
    void auth0.current?.loginWithRedirect<AppState>({ appState: { returnTo } })
  }, [])

  useEffect(() => {
    let cancelled = false
    const settle = (next: Session) => !cancelled && setSession(next)
    ;(async () => {
      const config = await createApi(NO_AUTH, baseUrl).config()
      if (!config.identity.enabled) {
        settle({ status: 'ready', api: createApi(NO_AUTH, baseUrl), config, user: null, signOut: null })
        return
      }
      if (!config.identity.clientId) {
        settle({ status: 'error', message: 'Sign-in is required, but the server names no client id: set CSVLAKE_AUTH_CLIENT_ID.' })
        return
      }
      // Loaded only when sign-in is on: the local build never pays for the SDK.
      const { Auth0Client } = await import('@auth0/auth0-spa-js')
      const client = new Auth0Client(auth0Options(config.identity, window.location.origin))
      auth0.current = client
      const params = new URLSearchParams(window.location.search)
      if (params.has('code') && params.has('state')) {
        const { appState } = await client.handleRedirectCallback<AppState>()
        const returnTo = appState?.returnTo ?? '/'
        // Signing in always comes back to /; go back to where the user was (the tokens are cached).
        const back = new URL(returnTo, window.location.origin)
        if (back.origin === window.location.origin && back.pathname + back.search !== '/') {
          window.location.replace(back.href)
          return
        }
        window.history.replaceState(null, '', '/')
      } else {
        await client.checkSession().catch(() => undefined)
      }
      if (!(await client.isAuthenticated())) {
        settle({ status: 'signed-out', signIn: () => signIn() })
        return
      }
      const profile = await client.getUser()
      const auth: Auth = {
        token: async () => (await client.getTokenSilently()) ?? null,
        onUnauthorized: () => signIn(),
      }
      settle({
        status: 'ready',
        api: createApi(auth, baseUrl),
        config,
        user: { name: profile?.name ?? profile?.nickname ?? profile?.sub ?? 'signed in', email: profile?.email, picture: profile?.picture },
        signOut: () => void client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } }),
      })
    })().catch((error: unknown) => {
      settle({ status: 'error', message: error instanceof Error ? error.message : String(error) })
    })
    return () => {
      cancelled = true
    }
  }, [baseUrl, signIn])

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  return useContext(SessionContext)
}

/** For components inside the ready app: the API client. */
export function useApi(): Api {
  const session = useSession()
  if (session.status !== 'ready') throw new Error('useApi outside a ready session')
  return session.api
}

/** A session that is ready, for component tests and pages rendered inside the app shell. */
export function ReadySessionProvider({ session, children }: { session: Extract<Session, { status: 'ready' }>; children: ReactNode }) {
  const value = useMemo(() => session, [session])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}
