// Issue 12, finding 6 (the two verifier items): an issuer-signed `__proto__` disclosure used to come
// back as an own member of the processed claims (prototype pollution for consumers that
// Object.assign it), and a did:jwk carrying private `d` was `malformed` instead of the documented
// `key_resolution_failed` (private key material published).
import { describe, expect, it } from 'vitest'
import {
  createResolver,
  generateKeyPair,
  issueSdJwt,
  loadPrivateKey,
  signCompact,
} from '../../src/index.js'
import { parseDisclosure } from '../../src/formats/sd-jwt/disclosure.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import { verify } from '../../src/service/index.js'
import { codes, didSigner } from './vc-helpers.js'

describe('__proto__ in a disclosure', () => {
  it('parseDisclosure refuses the name (disclosure_invalid), as the reserved ones', () => {
    const disclosure = b64u(
      utf8(JSON.stringify(['salt-salt-salt', '__proto__', { isAdmin: true }])),
    )
    expect(() => parseDisclosure(disclosure, 'sha-256')).toThrow(
      expect.objectContaining({ code: 'disclosure_invalid' }),
    )
  })

  it('an issuer-signed __proto__ disclosure fails verify(), and credsign never issues one', async () => {
    const issuer = await didSigner()
    // Built the way another issuer could: a claims object with an own __proto__ member, disclosed.
    const claims = JSON.parse(
      '{"iss":"https://issuer.example","vct":"https://credentials.example/id","__proto__":{"isAdmin":true}}',
    ) as Record<string, unknown>
    await expect(
      issueSdJwt(issuer, claims, { typ: 'dc+sd-jwt', disclosureFrame: { _sd: ['__proto__'] } }),
    ).rejects.toMatchObject({ code: 'invalid_argument' })
    const header = b64u(utf8(JSON.stringify({ alg: 'EdDSA', typ: 'dc+sd-jwt', kid: issuer.id })))
    const disclosure = b64u(
      utf8(JSON.stringify(['salt-salt-salt', '__proto__', { isAdmin: true }])),
    )
    const { sdDigest } = await import('../../src/formats/sd-jwt/hash.js')
    const payload = b64u(
      utf8(
        JSON.stringify({
          iss: 'https://issuer.example',
          vct: 'https://credentials.example/id',
          _sd: [sdDigest('sha-256', disclosure)],
          _sd_alg: 'sha-256',
        }),
      ),
    )
    const signature = b64u(await issuer.sign(utf8(`${header}.${payload}`)))
    const result = await verify(`${header}.${payload}.${signature}~${disclosure}~`, {
      issuerBinding: false,
    })
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('disclosure_invalid')
    expect(Object.getPrototypeOf(Object.assign({}, result.payload ?? {}))).toBe(Object.prototype)
  })
})

describe('did:jwk with private key material', () => {
  it('resolves to key_resolution_failed (private key published), in the resolver and through verify()', async () => {
    const pair = await generateKeyPair('Ed25519')
    const privateJwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: (pair.publicJwk as { x: string }).x,
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
    }
    const did = `did:jwk:${b64u(utf8(JSON.stringify(privateJwk)))}`
    await expect(createResolver().resolveKey(`${did}#0`)).rejects.toMatchObject({
      code: 'key_resolution_failed',
    })
    const handle = await loadPrivateKey('Ed25519', pair.pkcs8)
    const jws = await signCompact(
      {
        id: `${did}#0`,
        algorithm: 'Ed25519',
        publicJwk: pair.publicJwk,
        sign: (data) => handle.sign(data),
      },
      '{"iss":"x"}',
    )
    expect(codes(await verify(jws))).toEqual(['key_resolution_failed'])
    // a did:jwk that does not decode to a key at all is still malformed
    await expect(
      createResolver().resolveKey(`did:jwk:${b64u(utf8('{"kty":"OKP"}'))}#0`),
    ).rejects.toMatchObject({ code: 'malformed' })
  })
})
