import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
// oidc-provider ships no type declarations; the little of its API used here is typed below.
// @ts-ignore -- untyped module (there is no @types/oidc-provider in the project)
import { errors as oidcErrors, Provider as UntypedProvider } from 'oidc-provider'

/**
 * A real local OpenID provider (oidc-provider, the certified Node implementation) that behaves like
 * Auth0 as `@auth0/auth0-spa-js` expects, for the sign-in browser test and its HTTP-only twin:
 *
 * - issuer `http://localhost:PORT/` (with the trailing slash: the SDK, given
 *   `domain: 'http://localhost:PORT'`, checks the ID token's `iss` against `domain + '/'`);
 * - Auth0's paths: `GET /authorize`, `POST /oauth/token`, `POST /oauth/revoke`, `GET /userinfo`,
 *   `GET /.well-known/jwks.json` (csvlake's default JWKS URL for an issuer),
 *   `GET /.well-known/openid-configuration`, and `GET /v2/logout?client_id=&returnTo=`;
 * - the SDK's `audience` parameter selects the API: access tokens are RS256 JWTs (`typ: at+jwt`)
 *   with `aud` = audience, `sub` = the login name typed into the sign-in form, and a `permissions`
 *   claim (Auth0 RBAC; csvlake checks it), plus a `scope` claim with any API scopes requested
 *   (`read:data`, `write:data`). Every code exchange also answers a refresh token (rotated on each
 *   use, valid after sign-out, as Auth0's are);
 * - one public client (`token_endpoint_auth_method: none`, PKCE S256 required) whose redirect URIs
 *   are given; the token endpoint answers CORS for `appOrigin` and the redirect URIs' origins;
 * - `response_mode=web_message` (the SDK's silent iframe and popup sign-in) works;
 * - the built-in development interactions: a sign-in form where any login name and any password
 *   work, then a consent form. In a browser (Playwright):
 *     await page.locator('input[name=login]').fill('alice')
 *     await page.locator('input[name=password]').fill('anything')
 *     await page.getByRole('button', { name: 'Sign-in' }).click()   // button[type=submit]
 *     await page.getByRole('button', { name: 'Continue' }).click()  // the consent page's only button
 *   (both pages live at /interaction/<uid>; waiting for the button by its name, not for
 *   `button[type=submit]`, keeps the second click off the first page's button). The consent form
 *   shows only the first time a login name signs in (consent is remembered, as Auth0 does); a second
 *   sign-in in the same browser context skips both forms while the provider's session lasts (until
 *   the app signs out through /v2/logout).
 *
 * Everything is in memory and dies with `close()`. The keys are generated at start.
 */
export type OidcIssuer = {
  /** `http://localhost:PORT/` - what CSVLAKE_AUTH_ISSUER must be (and the tokens' `iss`). */
  issuer: string
  /** `http://localhost:PORT/.well-known/jwks.json` - for CSVLAKE_AUTH_JWKS_URL (also the default). */
  jwksUrl: string
  port: number
  close: () => Promise<void>
}

export type OidcIssuerOptions = {
  clientId: string
  /** Exactly the `redirect_uri`s the app sends (the web app sends `${origin}/`). */
  redirectUris: string[]
  /** The API identifier (an absolute URI, as Auth0 API identifiers are): the access tokens' `aud`. */
  audience: string
  /** The web app's origin (`http://localhost:APP_PORT`), allowed to call the token endpoint (CORS). */
  appOrigin: string
  /** The access tokens' `permissions` claim; `['read:data', 'write:data']` unless given. */
  permissions?: string[]
  /** Lifetime of access tokens in seconds (default 3600); short ones let a test see a refresh. */
  accessTokenTtl?: number
}

/** The scopes an access token for the API may carry, as Auth0 API permissions. */
const API_SCOPES = 'read:data write:data'

type KoaContext = {
  method: string
  path: string
  query: Record<string, string | string[] | undefined>
  status: number
  body: unknown
  type: string
  req: IncomingMessage
  res: ServerResponse
  redirect(url: string): void
  set(name: string, value: string): void
}
type Provider = {
  issuer: string
  use(fn: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void
  callback(): (req: IncomingMessage, res: ServerResponse) => void
  Session: { get(ctx: KoaContext): Promise<{ accountId?: string; destroy(): Promise<void> }> }
  on(event: 'grant.saved', listener: (grant: { jti: string; accountId: string; clientId: string }) => void): void
}
type GrantContext = {
  oidc: {
    result?: { consent?: { grantId?: string } }
    session: { grantIdFor(clientId: string): string | undefined }
    client: { clientId: string }
    account?: { accountId: string }
    provider: { Grant: { find(id: string): Promise<unknown> } }
  }
}
type AccountToken = { kind: string; resourceServer?: { audience?: string } }

export async function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  const { clientId, redirectUris, audience, appOrigin } = opts
  const permissions = opts.permissions ?? ['read:data', 'write:data']
  if (!URL.canParse(audience)) throw new Error(`the audience must be an absolute URI (a resource indicator), such as https://api.csvlake.test; it is ${audience}`)
  const allowedOrigins = new Set([new URL(appOrigin).origin, ...redirectUris.map((uri) => new URL(uri).origin)])

  // The port first: the issuer identifier (and so the provider) must name it.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end()
  const servers: Server[] = []
  const listen = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((req, res) => handler(req, res))
      server.once('error', reject)
      server.listen(port, host, () => resolve(server))
    })
  const first = await listen('127.0.0.1', 0)
  servers.push(first)
  const { port } = first.address() as AddressInfo
  // `localhost` may resolve to ::1 too (browsers and Node try both): answer there when the machine can.
  await listen('::1', port).then((s) => servers.push(s), () => undefined)

  const issuer = `http://localhost:${port}/`
  const grantsByAccount = new Map<string, string>()
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' }

  const provider: Provider = new UntypedProvider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_name: 'csvlake (test)',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: redirectUris,
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      revocation: '/oauth/revoke',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      end_session: '/oidc/logout',
    },
    // The SDK sends `audience` (Auth0's name for the resource) and `auth0Client` (telemetry).
    extraParams: ['audience', 'auth0Client'],
    scopes: ['openid', 'offline_access'],
    claims: {
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
      openid: ['sub'],
      profile: ['name', 'nickname', 'preferred_username', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    // Auth0 puts the profile and email claims in the ID token (the SDK's getUser() reads them there).
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: sub,
            nickname: sub,
            preferred_username: sub,
            email: sub.includes('@') ? sub : `${sub}@example.test`,
            email_verified: true,
            updated_at: Math.floor(Date.now() / 1000),
          }
        },
      }
    },
    clientBasedCORS(_ctx: unknown, origin: string) {
      return allowedOrigins.has(origin)
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' },
      resourceIndicators: {
        enabled: true,
        // Auth0's `audience`: the resource of every request that names none.
        async defaultResource(ctx: { oidc?: { params?: { audience?: unknown } } }, _client: unknown, oneOf?: string[]) {
          if (oneOf) return oneOf.includes(audience) ? audience : oneOf[0]
          const asked = ctx.oidc?.params?.audience
          return typeof asked === 'string' && asked !== '' ? asked : audience
        },
        // Code and refresh token grants issue tokens for the API granted, not for /userinfo.
        async useGrantedResource() {
          return true
        },
        async getResourceServerInfo(_ctx: unknown, resourceIndicator: string) {
          if (resourceIndicator !== audience) {
            throw new oidcErrors.InvalidTarget(`the audience ${resourceIndicator} is not an API of this issuer (it knows ${audience})`)
          }
          return {
            scope: API_SCOPES,
            audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: opts.accessTokenTtl ?? 3600,
            jwt: { sign: { alg: 'RS256' } },
          }
        },
      },
    },
    // Auth0 remembers a user's consent to an app: after /v2/logout the next sign-in asks for the
    // login only. The provider keeps grants per session; this finds the user's earlier grant too.
    async loadExistingGrant(ctx: GrantContext) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ??
        ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId) ??
        (ctx.oidc.account ? grantsByAccount.get(ctx.oidc.account.accountId) : undefined)
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined
    },
    // oidc-provider (following OpenID Connect) drops `offline_access` unless the request also says
    // prompt=consent, which the SDK never does; Auth0 issues the refresh token anyway. So: always,
    // to this client, and refresh tokens outlive the provider's session (as Auth0's do).
    async issueRefreshToken(_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) {
      return client.grantTypeAllowed('refresh_token')
    },
    async expiresWithSession() {
      return false
    },
    async extraTokenClaims(_ctx: unknown, token: AccountToken) {
      if (token.kind === 'AccessToken' && token.resourceServer?.audience === audience) return { permissions }
      return undefined
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: AccountToken & { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    async renderError(ctx: KoaContext, out: Record<string, string>) {
      ctx.type = 'html'
      const rows = Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1>${rows.join('')}</body></html>`
    },
  })

  provider.on('grant.saved', (grant: { jti: string; accountId: string; clientId: string }) => {
    if (grant.clientId === clientId) grantsByAccount.set(grant.accountId, grant.jti)
  })

  // Auth0's logout URL, which the SDK's logout() opens: ends the provider's session (so the next
  // sign-in shows the form again) and goes back to `returnTo` - one of the app's own URLs.
  provider.use(async (ctx, next) => {
    // Browsers ask every origin for one; a 404 would be a console error in every sign-in test.
    if (ctx.path === '/favicon.ico') {
      ctx.status = 204
      return
    }
    if (ctx.method !== 'GET' || ctx.path !== '/v2/logout') return next()
    const param = (name: string) => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : undefined)
    const returnTo = param('returnTo')
    const client = param('client_id')
    if (client !== undefined && client !== clientId) return badRequest(ctx, `unknown client_id ${client}`)
    if (returnTo !== undefined && (!URL.canParse(returnTo) || !allowedOrigins.has(new URL(returnTo).origin))) {
      return badRequest(ctx, `returnTo ${returnTo} is not an allowed logout URL (its origin must be ${[...allowedOrigins].join(' or ')})`)
    }
    const session = await provider.Session.get(ctx)
    if (session.accountId) await session.destroy()
    ctx.set('Cache-Control', 'no-store')
    if (returnTo) return ctx.redirect(returnTo)
    ctx.type = 'text/plain'
    ctx.body = 'signed out'
  })

  // The built-in pages @import a Google font; the test machine has no network, so that import
  // would only add a failed request to every page. Drop it.
  provider.use(async (ctx, next) => {
    await next()
    if (typeof ctx.body === 'string' && ctx.body.includes('fonts.googleapis.com')) {
      ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '')
    }
  })

  handler = provider.callback()

  return {
    issuer,
    jwksUrl: `${issuer}.well-known/jwks.json`,
    port,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve())
              server.closeAllConnections()
            }),
        ),
      )
    },
  }
}

function badRequest(ctx: KoaContext, message: string) {
  ctx.status = 400
  ctx.type = 'text/plain'
  ctx.body = message
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
