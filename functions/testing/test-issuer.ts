import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'

type PairKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
type Key = { kid: string; privateKey: PairKey; publicKey: PairKey; jwk: JWK; published: boolean }

export const AUDIENCE = 'https://csvlake.test/api'

/**
 * An OpenID issuer for the tests: real RSA keys, a JWKS served over HTTP, tokens signed for real.
 * Keys can be rotated in (published) or kept unpublished (a forger's key).
 */
export async function startTestIssuer() {
  const keys: Key[] = []
  const addKey = async (published: boolean) => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const kid = `key-${keys.length + 1}`
    keys.push({ kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, published })
    return kid
  }
  await addKey(true)
  let jwksFetches = 0
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      jwksFetches++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: keys.filter((k) => k.published).map((k) => k.jwk) }))
    } else {
      res.statusCode = 404
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  const sign = async (
    claims: JWTPayload & { permissions?: string[] },
    /** `expiresIn: null` signs a token without an `exp` claim (one that never expires). */
    opts: { kid?: string; expiresIn?: string | number | null; notBefore?: string | number; issuer?: string; audience?: string } = {},
  ) => {
    const key = keys.find((k) => k.kid === (opts.kid ?? keys[0]!.kid))!
    let jwt = new SignJWT({ permissions: ['read:data', 'write:data'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(opts.issuer ?? issuer)
      .setAudience(opts.audience ?? AUDIENCE)
      .setIssuedAt()
    if (opts.expiresIn !== null) jwt = jwt.setExpirationTime(opts.expiresIn ?? '10m')
    if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(opts.notBefore)
    return jwt.sign(key.privateKey)
  }

  return {
    issuer,
    jwksUrl: `${issuer}.well-known/jwks.json`,
    sign,
    jwksFetches: () => jwksFetches,
    /** A new key, published: the issuer rotated its keys. */
    rotate: () => addKey(true),
    /** A key the issuer does not publish. */
    forgerKey: () => addKey(false),
    /** The first key's public half, as PEM (what an HS256 forgery would use as its secret). */
    publicPem: () => exportSPKI(keys[0]!.publicKey),
    env: () => ({ CSVLAKE_AUTH_ISSUER: issuer, CSVLAKE_AUTH_AUDIENCE: AUDIENCE }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type TestIssuer = Awaited<ReturnType<typeof startTestIssuer>>
