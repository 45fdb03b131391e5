import { describe, expect, it } from 'vitest'
import {
  DEFAULT_KDF,
  KDF_PRESETS,
  SecretEnvelope,
  parseEnvelope,
} from '../../src/envelope/index.js'
import type { KdfParams } from '../../src/envelope/index.js'
import { CHEAP, expectCode } from './envelope-fixtures.js'

const SECRET_A = 'service-secret-A-for-envelope-tests-0123456789'
const SECRET_B = 'service-secret-B-for-envelope-tests-0123456789'
const secrets = ['correct horse battery staple', 'second factor 9f8e7d']
const context = { keyId: 'did:example:123#key-1', algorithm: 'P-256', keyVersion: 3 }
const plaintext = crypto.getRandomValues(new Uint8Array(138))

describe('SecretEnvelope round trip', () => {
  for (const [name, kdf] of Object.entries(CHEAP)) {
    it(`seals and opens with ${name}`, async () => {
      const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf })
      const sealed = await envelope.seal(plaintext, secrets, context)
      expect(sealed.kdf).toEqual(kdf)
      expect(sealed).toMatchObject({
        v: 1,
        kid: context.keyId,
        alg: context.algorithm,
        kv: context.keyVersion,
      })
      // It survives a trip through JSON text, as every store does.
      const stored = JSON.parse(JSON.stringify(sealed)) as unknown
      expect(parseEnvelope(stored)).toEqual(sealed)
      expect(await envelope.open(stored, secrets, context)).toEqual(plaintext)
    })
  }

  it('uses a fresh salt and IV for every seal', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const a = await envelope.seal(plaintext, secrets, context)
    const b = await envelope.seal(plaintext, secrets, context)
    expect(a.salt).not.toBe(b.salt)
    expect(a.iv).not.toBe(b.iv)
    expect(a.ct).not.toBe(b.ct)
  })

  it('seals with the per-call KDF over the configured one', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await envelope.seal(plaintext, secrets, context, { kdf: CHEAP.argon2id })
    expect(sealed.kdf).toEqual(CHEAP.argon2id)
    expect(await envelope.open(sealed, secrets, context)).toEqual(plaintext)
  })

  it('seals empty plaintext and byte secrets, and leaves inputs untouched', async () => {
    const envelope = new SecretEnvelope({
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
      kdf: CHEAP.pbkdf2,
    })
    const byteSecret = Uint8Array.from([1, 2, 3, 4])
    const input = [byteSecret, 'x']
    const empty = new Uint8Array(0)
    const sealed = await envelope.seal(empty, input, context)
    expect(input).toEqual([Uint8Array.from([1, 2, 3, 4]), 'x'])
    expect(byteSecret).toEqual(Uint8Array.from([1, 2, 3, 4]))
    expect(await envelope.open(sealed, [Uint8Array.from([1, 2, 3, 4]), 'x'], context)).toEqual(
      empty,
    )
    expect(byteSecret).toEqual(Uint8Array.from([1, 2, 3, 4]))
  })

  it('treats a string secret as its NFC UTF-8 bytes', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await envelope.seal(plaintext, ['e\u0301t\u00e9'], context)
    expect(await envelope.open(sealed, ['\u00e9t\u00e9'], context)).toEqual(plaintext)
    expect(
      await envelope.open(sealed, [new TextEncoder().encode('\u00e9t\u00e9')], context),
    ).toEqual(plaintext)
  })

  it('accepts boundary secrets: 10 secrets, 1,000 code points, 4,000 bytes', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const many = Array.from({ length: 10 }, (_, i) => `s${i}`)
    const long = '\u{1F511}'.repeat(1_000) // 1,000 code points, 2,000 UTF-16 units
    const bytes = new Uint8Array(4_000).fill(7)
    for (const set of [many, [long], [bytes]]) {
      const sealed = await envelope.seal(plaintext, set, context)
      expect(await envelope.open(sealed, set, context)).toEqual(plaintext)
    }
  })

  it('does not expose the service secret or derived keys on the instance', () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    expect(JSON.stringify(envelope)).toBe('{}')
    expect(Object.keys(envelope)).toEqual([])
  })
})

describe('SecretEnvelope.rewrap', () => {
  it('moves to new secrets: the old ones fail with wrong_secrets on the new envelope', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await envelope.seal(plaintext, secrets, context)
    const rewrapped = await envelope.rewrap(sealed, secrets, context, {
      secrets: ['new-secret-after-rewrap'],
    })
    expect(rewrapped.salt).not.toBe(sealed.salt)
    expect(rewrapped.iv).not.toBe(sealed.iv)
    expect(await envelope.open(rewrapped, ['new-secret-after-rewrap'], context)).toEqual(plaintext)
    await expectCode(envelope.open(rewrapped, secrets, context), 'wrong_secrets')
  })

  it('keeps the secrets and upgrades the KDF when asked', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await envelope.seal(plaintext, secrets, context)
    const rewrapped = await envelope.rewrap(sealed, secrets, context, { kdf: CHEAP.scrypt })
    expect(rewrapped.kdf).toEqual(CHEAP.scrypt)
    expect(await envelope.open(rewrapped, secrets, context)).toEqual(plaintext)
  })

  it('re-seals an envelope from a previous service secret under the current one', async () => {
    const before = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await before.seal(plaintext, secrets, context)
    const after = new SecretEnvelope({
      serviceSecret: SECRET_B,
      previousServiceSecrets: [SECRET_A],
      kdf: CHEAP.pbkdf2,
    })
    // The previous secret still opens it during the rotation...
    expect(await after.open(sealed, secrets, context)).toEqual(plaintext)
    expect(after.needsRewrap(sealed)).toBe(true)
    const rewrapped = await after.rewrap(sealed, secrets, context, {})
    expect(rewrapped.sfp).not.toBe(sealed.sfp)
    expect(after.needsRewrap(rewrapped)).toBe(false)
    // ...and once the old secret is dropped, only the rewrapped envelope opens.
    const onlyB = new SecretEnvelope({ serviceSecret: SECRET_B, kdf: CHEAP.pbkdf2 })
    expect(await onlyB.open(rewrapped, secrets, context)).toEqual(plaintext)
    await expectCode(onlyB.open(sealed, secrets, context), 'service_secret_mismatch')
  })

  it('rejects a bad target before opening anything', async () => {
    const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
    const sealed = await envelope.seal(plaintext, secrets, context)
    await expectCode(envelope.rewrap(sealed, secrets, context, { secrets: [] }), 'invalid_secrets')
    await expectCode(
      envelope.rewrap(sealed, secrets, context, { kdf: { id: 'pbkdf2-sha256', iterations: 10 } }),
      'invalid_argument',
    )
    await expectCode(
      envelope.rewrap(sealed, ['a-wrong-secret-value'], context, {}),
      'wrong_secrets',
    )
  })
})

describe('SecretEnvelope.needsRewrap', () => {
  const cases: [string, KdfParams, KdfParams, boolean][] = [
    ['same pbkdf2', CHEAP.pbkdf2, CHEAP.pbkdf2, false],
    ['fewer iterations', CHEAP.pbkdf2, { id: 'pbkdf2-sha256', iterations: 2_000 }, true],
    ['more iterations', { id: 'pbkdf2-sha256', iterations: 2_000 }, CHEAP.pbkdf2, false],
    ['other KDF id', CHEAP.pbkdf2, CHEAP.scrypt, true],
    ['smaller scrypt N', CHEAP.scrypt, { id: 'scrypt', N: 2_048, r: 8, p: 1 }, true],
    ['smaller scrypt r', CHEAP.scrypt, { id: 'scrypt', N: 1_024, r: 16, p: 1 }, true],
    ['smaller argon2id m', CHEAP.argon2id, { id: 'argon2id', m: 128, t: 2, p: 1 }, true],
    ['smaller argon2id t', CHEAP.argon2id, { id: 'argon2id', m: 64, t: 3, p: 1 }, true],
    ['argon2id lanes only differ', CHEAP.argon2id, { id: 'argon2id', m: 64, t: 2, p: 2 }, false],
  ]
  for (const [label, sealedWith, configured, expected] of cases) {
    it(`${label}: ${expected}`, async () => {
      const sealer = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: sealedWith })
      const sealed = await sealer.seal(plaintext, secrets, context)
      expect(
        new SecretEnvelope({ serviceSecret: SECRET_A, kdf: configured }).needsRewrap(sealed),
      ).toBe(expected)
    })
  }

  it('is true for an envelope under a previous service secret, and checks the shape', async () => {
    const sealed = await new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 }).seal(
      plaintext,
      secrets,
      context,
    )
    const rotated = new SecretEnvelope({
      serviceSecret: SECRET_B,
      previousServiceSecrets: [SECRET_A],
      kdf: CHEAP.pbkdf2,
    })
    expect(rotated.needsRewrap(sealed)).toBe(true)
    await expectCode(() => rotated.needsRewrap({ ...sealed, v: 2 }), 'envelope_unsupported_version')
    await expectCode(() => rotated.needsRewrap('nope'), 'envelope_malformed')
  })
})

describe('KDF defaults and presets', () => {
  it('has the documented values and cannot be changed', () => {
    expect(DEFAULT_KDF).toEqual({ id: 'pbkdf2-sha256', iterations: 600_000 })
    expect(KDF_PRESETS).toEqual({
      pbkdf2: { id: 'pbkdf2-sha256', iterations: 600_000 },
      scrypt: { id: 'scrypt', N: 131_072, r: 8, p: 1 },
      argon2id: { id: 'argon2id', m: 19_456, t: 2, p: 1 },
    })
    expect(Object.isFrozen(DEFAULT_KDF)).toBe(true)
    expect(Object.isFrozen(KDF_PRESETS.scrypt)).toBe(true)
  })

  it('uses DEFAULT_KDF as the bar when none is configured (checked without running 600,000 iterations)', async () => {
    const cheap = await new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 }).seal(
      plaintext,
      secrets,
      context,
    )
    const defaults = new SecretEnvelope({ serviceSecret: SECRET_A })
    expect(defaults.needsRewrap(cheap)).toBe(true)
    // needsRewrap is structural, so an edited copy shows where the bar is.
    expect(defaults.needsRewrap({ ...cheap, kdf: { ...DEFAULT_KDF } })).toBe(false)
    expect(
      defaults.needsRewrap({ ...cheap, kdf: { id: 'pbkdf2-sha256', iterations: 599_999 } }),
    ).toBe(true)
  })
})
