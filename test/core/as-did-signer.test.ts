import { describe, expect, it } from 'vitest'
import {
  KeyVault,
  MemoryStore,
  asDidSigner,
  didJwkDocument,
  didKeyDocument,
  jwkFromDidJwk,
  jwkFromDidKey,
  jwkThumbprint,
  verifySignature,
} from 'credsign'

describe('asDidSigner', () => {
  it('names a vault key by its did:key or did:jwk verification method and still signs with it', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: 'x'.repeat(32),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'k', algorithm: 'P-256', secrets: ['s'] })
    const unlocked = await vault.unlock('k', ['s'])
    const data = new Uint8Array([1, 2, 3])

    const viaKey = asDidSigner(unlocked)
    const [did, fragment] = viaKey.id.split('#')
    expect(did?.startsWith('did:key:zDn')).toBe(true)
    expect(didKeyDocument(did!).verificationMethod?.[0]?.id).toBe(viaKey.id)
    expect(await jwkThumbprint(jwkFromDidKey(viaKey.id))).toBe(
      await jwkThumbprint(unlocked.publicJwk),
    )
    expect(fragment).toBe(did!.slice('did:key:'.length))
    expect(await verifySignature(unlocked.publicJwk, data, await viaKey.sign(data))).toBe(true)

    const viaJwk = asDidSigner(unlocked, 'jwk')
    expect(viaJwk.id.endsWith('#0')).toBe(true)
    expect(didJwkDocument(viaJwk.id.slice(0, -2)).verificationMethod?.[0]?.id).toBe(viaJwk.id)
    expect(await jwkThumbprint(jwkFromDidJwk(viaJwk.id))).toBe(
      await jwkThumbprint(unlocked.publicJwk),
    )

    unlocked.lock()
    await expect(viaKey.sign(data)).rejects.toMatchObject({ code: 'signer_locked' })
  })

  it('rejects what is not a signer', () => {
    expect(() => asDidSigner({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})
