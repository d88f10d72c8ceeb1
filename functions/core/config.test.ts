import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('runs local mode as one local user when no issuer is set', () => {
    expect(loadConfig({}).auth).toEqual({ enabled: false })
  })

  it('refuses aws mode without an issuer unless CSVLAKE_AUTH=none says so explicitly', () => {
    expect(() => loadConfig({ CSVLAKE_MODE: 'aws' })).toThrow(/CSVLAKE_AUTH_ISSUER/)
    expect(loadConfig({ CSVLAKE_MODE: 'aws', CSVLAKE_AUTH: 'none' }).auth).toEqual({ enabled: false })
  })

  it('needs an audience with an issuer, and derives the JWKS address from the issuer', () => {
    expect(() => loadConfig({ CSVLAKE_AUTH_ISSUER: 'https://t.auth0.com/' })).toThrow(/CSVLAKE_AUTH_AUDIENCE/)
    expect(loadConfig({ CSVLAKE_AUTH_ISSUER: 'https://t.auth0.com/', CSVLAKE_AUTH_AUDIENCE: 'https://api' }).auth).toMatchObject({
      enabled: true,
      jwksUrl: 'https://t.auth0.com/.well-known/jwks.json',
      tenantClaim: 'sub',
      permissions: true,
    })
  })

  it('reads HOST as given (unset: the default listen address) and CSVLAKE_ALLOWED_HOSTS as a list of names', () => {
    expect(loadConfig({})).toMatchObject({ host: undefined, allowedHosts: [] })
    expect(loadConfig({ HOST: '0.0.0.0', CSVLAKE_ALLOWED_HOSTS: 'csvlake.lan, Data.Example.com,,192.168.1.5 ::1' })).toMatchObject({
      host: '0.0.0.0',
      allowedHosts: ['csvlake.lan', 'data.example.com', '192.168.1.5', '[::1]'],
    })
    expect(loadConfig({ CSVLAKE_ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*'])
    for (const wrong of ['http://csvlake.lan', 'csvlake.lan:8080', 'a/b', 'abc.de:80']) {
      expect(() => loadConfig({ CSVLAKE_ALLOWED_HOSTS: wrong })).toThrow(/CSVLAKE_ALLOWED_HOSTS.*host names/)
    }
  })

  it('says which setting is wrong', () => {
    expect(() => loadConfig({ CSVLAKE_MAX_UPLOAD_BYTES: 'lots' })).toThrow(/CSVLAKE_MAX_UPLOAD_BYTES/)
    expect(() => loadConfig({ CSVLAKE_MODE: 'cloud' })).toThrow(/CSVLAKE_MODE/)
    expect(() => loadConfig({ CSVLAKE_AUTH_ISSUER: 'not a url', CSVLAKE_AUTH_AUDIENCE: 'x' })).toThrow(/URL/)
  })
})
