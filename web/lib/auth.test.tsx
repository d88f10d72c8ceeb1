import { describe, expect, it } from 'vitest'
import { auth0Options } from './auth'

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
