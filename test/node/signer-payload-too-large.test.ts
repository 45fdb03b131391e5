// A document whose JSON is longer than a JavaScript string can hold (~512 MiB in V8): the copy step
// shares the one large string, so the first JSON.stringify is the signer's own, which threw a raw
// RangeError. It is a typed error now. (Node only: the test builds ~600 MiB of JSON text.)
import { describe, expect, it } from 'vitest'
import { JwtVcSigner, KeyVault, MemoryStore, SdJwtVcSigner, asDidSigner } from '../../src/index.js'

describe('a payload too large to serialize', () => {
  it('JwtVcSigner: credential_invalid, SdJwtVcSigner: invalid_argument, never a RangeError', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(3),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    await vault.generate({ id: 'k', algorithm: 'Ed25519', secrets: ['s'] })
    const signer = asDidSigner(await vault.unlock('k', ['s']))
    const megabyte = 'x'.repeat(2 ** 20)
    const many = Array.from({ length: 600 }, () => megabyte)
    await expect(
      new JwtVcSigner(signer).sign({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice', many },
      }),
    ).rejects.toMatchObject({ name: 'CredsignError', code: 'credential_invalid' })
    await expect(
      new SdJwtVcSigner(signer).issue({ many }, { vct: 'urn:example:big' }),
    ).rejects.toMatchObject({ name: 'CredsignError', code: 'invalid_argument' })
  }, 120_000)
})
