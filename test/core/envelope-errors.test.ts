// Every failure has its own code, and no error ever carries a secret (expectCode checks both).
import { beforeAll, describe, expect, it } from 'vitest'
import { SecretEnvelope, parseEnvelope } from '../../src/envelope/index.js'
import type { SealedEnvelope } from '../../src/envelope/index.js'
import { CHEAP, expectCode, flipByte, toB64u, decodeB64u, withMember } from './envelope-fixtures.js'

const SECRET_A = 'service-secret-A-for-envelope-tests-0123456789'
const SECRET_B = 'service-secret-B-for-envelope-tests-0123456789'
const S1 = 'correct horse battery staple'
const S2 = 'second factor 9f8e7d'
const WRONG = 'a-wrong-secret-value'
const context = { keyId: 'did:example:123#key-1', algorithm: 'Ed25519', keyVersion: 1 }
const plaintext = crypto.getRandomValues(new Uint8Array(48))

const envelope = new SecretEnvelope({ serviceSecret: SECRET_A, kdf: CHEAP.pbkdf2 })
let sealed: SealedEnvelope

beforeAll(async () => {
  sealed = await envelope.seal(plaintext, [S1, S2], context)
})

describe('wrong_secrets: the KDF ran and the key did not fit', () => {
  const cases: [string, string[]][] = [
    ['a wrong secret', [WRONG, S2]],
    ['reordered secrets', [S2, S1]],
    ['a missing secret', [S1]],
    ['an extra secret', [S1, S2, WRONG]],
    ['the secrets concatenated', [S1 + S2]],
  ]
  for (const [label, secrets] of cases) {
    it(label, async () => {
      await expectCode(envelope.open(sealed, secrets, context), 'wrong_secrets')
    })
  }

  it('["ab","c"], ["abc"] and ["c","ab"] are different keys', async () => {
    const split = await envelope.seal(plaintext, ['ab', 'c'], context)
    expect(await envelope.open(split, ['ab', 'c'], context)).toEqual(plaintext)
    await expectCode(envelope.open(split, ['abc'], context), 'wrong_secrets')
    await expectCode(envelope.open(split, ['c', 'ab'], context), 'wrong_secrets')
    await expectCode(envelope.open(split, ['a', 'bc'], context), 'wrong_secrets')
    const joined = await envelope.seal(plaintext, ['abc'], context)
    await expectCode(envelope.open(joined, ['ab', 'c'], context), 'wrong_secrets')
  })
})

describe('envelope_tampered: the MAC catches every edit before any KDF runs', () => {
  const edits: [string, () => unknown][] = [
    ['first ct byte flipped', () => withMember(sealed, 'ct', flipByte(sealed.ct, 0))],
    ['tag byte flipped', () => withMember(sealed, 'ct', flipByte(sealed.ct, -1))],
    [
      'ct shortened but still >= 16 bytes',
      () => withMember(sealed, 'ct', toB64u(decodeB64u(sealed.ct).subarray(1))),
    ],
    ['salt byte flipped', () => withMember(sealed, 'salt', flipByte(sealed.salt, 3))],
    ['iv byte flipped', () => withMember(sealed, 'iv', flipByte(sealed.iv, 11))],
    ['mac byte flipped', () => withMember(sealed, 'mac', flipByte(sealed.mac, 31))],
    [
      'kdf iterations changed',
      () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: 1_001 }),
    ],
    ['kdf id changed', () => withMember(sealed, 'kdf', CHEAP.scrypt)],
  ]
  for (const [label, edit] of edits) {
    it(label, async () => {
      await expectCode(envelope.open(edit(), [S1, S2], context), 'envelope_tampered')
    })
  }

  it('an envelope moved to another key, with kid/alg/kv edited to match', async () => {
    const moved = { ...sealed, kid: 'did:example:123#key-2', alg: 'P-256', kv: 2 }
    await expectCode(
      envelope.open(moved, [S1, S2], {
        keyId: 'did:example:123#key-2',
        algorithm: 'P-256',
        keyVersion: 2,
      }),
      'envelope_tampered',
    )
  })

  it('reports tampering even when the secrets are also wrong (the KDF never runs)', async () => {
    await expectCode(
      envelope.open(withMember(sealed, 'ct', flipByte(sealed.ct, 5)), [WRONG], context),
      'envelope_tampered',
    )
  })
})

describe('envelope_context_mismatch', () => {
  const contexts = [
    ['another kid', { ...context, keyId: 'did:example:123#key-9' }],
    ['another alg', { ...context, algorithm: 'P-256' }],
    ['another kv', { ...context, keyVersion: 2 }],
  ] as const
  for (const [label, other] of contexts) {
    it(label, async () => {
      await expectCode(envelope.open(sealed, [S1, S2], other), 'envelope_context_mismatch')
    })
  }
})

describe('service_secret_mismatch', () => {
  it('an envelope from another service secret', async () => {
    const other = new SecretEnvelope({ serviceSecret: SECRET_B, kdf: CHEAP.pbkdf2 })
    await expectCode(other.open(sealed, [S1, S2], context), 'service_secret_mismatch')
  })

  it('an edited sfp', async () => {
    await expectCode(
      envelope.open(withMember(sealed, 'sfp', flipByte(sealed.sfp, 0)), [S1, S2], context),
      'service_secret_mismatch',
    )
  })
})

describe('envelope_unsupported_version', () => {
  for (const v of [2, 0, '1', null, 1.5]) {
    it(`v: ${JSON.stringify(v)}`, async () => {
      await expectCode(
        envelope.open(withMember(sealed, 'v', v), [S1, S2], context),
        'envelope_unsupported_version',
      )
    })
  }

  it('is checked before the shape: a v2 envelope may look entirely different', async () => {
    await expectCode(
      envelope.open({ v: 2, something: 'else' }, [S1, S2], context),
      'envelope_unsupported_version',
    )
    await expectCode(() => parseEnvelope({ v: 2 }), 'envelope_unsupported_version')
  })
})

describe('envelope_malformed', () => {
  const drop = (name: string) => () => {
    const copy: Record<string, unknown> = { ...sealed }
    delete copy[name]
    return copy
  }
  const cases: [string, () => unknown][] = [
    ['null', () => null],
    ['a string', () => JSON.stringify(sealed)],
    ['a number', () => 42],
    ['an array', () => [sealed]],
    ['undefined', () => undefined],
    ...['v', 'kid', 'alg', 'kv', 'kdf', 'salt', 'sfp', 'iv', 'ct', 'mac'].map(
      (name): [string, () => unknown] => [`missing ${name}`, drop(name)],
    ),
    ['an unknown member', () => ({ ...sealed, extra: 1 })],
    [
      'ct truncated below the tag length',
      () => withMember(sealed, 'ct', toB64u(decodeB64u(sealed.ct).subarray(0, 15))),
    ],
    ['ct empty', () => withMember(sealed, 'ct', '')],
    ['bad base64url characters', () => withMember(sealed, 'iv', '!!!!!!!!!!!!!!!!')],
    ['padded base64', () => withMember(sealed, 'salt', sealed.salt + '==')],
    [
      'standard base64 alphabet',
      () => withMember(sealed, 'mac', sealed.mac.replace(/[-_]/g, '+').replace(/^./, '/')),
    ],
    [
      'non-canonical base64url (stray bits)',
      () =>
        withMember(sealed, 'sfp', sealed.sfp.slice(0, -1) + (sealed.sfp.endsWith('F') ? 'G' : 'F')),
    ],
    ['base64url that is a number', () => withMember(sealed, 'iv', 12)],
    ['salt of 15 bytes', () => withMember(sealed, 'salt', toB64u(new Uint8Array(15)))],
    ['sfp of 9 bytes', () => withMember(sealed, 'sfp', toB64u(new Uint8Array(9)))],
    ['iv of 16 bytes', () => withMember(sealed, 'iv', toB64u(new Uint8Array(16)))],
    ['mac of 31 bytes', () => withMember(sealed, 'mac', toB64u(new Uint8Array(31)))],
    ['empty kid', () => withMember(sealed, 'kid', '')],
    ['numeric alg', () => withMember(sealed, 'alg', 7)],
    ['negative kv', () => withMember(sealed, 'kv', -1)],
    ['fractional kv', () => withMember(sealed, 'kv', 1.5)],
    ['kdf null', () => withMember(sealed, 'kdf', null)],
    ['unknown kdf id', () => withMember(sealed, 'kdf', { id: 'bcrypt', cost: 12 })],
    [
      'kdf with an extra member',
      () => withMember(sealed, 'kdf', { ...CHEAP.pbkdf2, hash: 'SHA-512' }),
    ],
    [
      'iterations as text',
      () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: '1000' }),
    ],
    [
      'iterations fractional',
      () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: 1000.5 }),
    ],
    [
      'iterations below 1,000',
      () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: 999 }),
    ],
    [
      'iterations above 10,000,000',
      () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: 10_000_001 }),
    ],
    ['huge iterations', () => withMember(sealed, 'kdf', { id: 'pbkdf2-sha256', iterations: 1e15 })],
    [
      'scrypt N not a power of two',
      () => withMember(sealed, 'kdf', { id: 'scrypt', N: 3_000, r: 8, p: 1 }),
    ],
    ['scrypt N = 2^9', () => withMember(sealed, 'kdf', { id: 'scrypt', N: 512, r: 8, p: 1 })],
    ['scrypt N = 2^21', () => withMember(sealed, 'kdf', { id: 'scrypt', N: 2 ** 21, r: 1, p: 1 })],
    ['scrypt N = 2^40', () => withMember(sealed, 'kdf', { id: 'scrypt', N: 2 ** 40, r: 8, p: 1 })],
    ['scrypt r = 33', () => withMember(sealed, 'kdf', { id: 'scrypt', N: 1_024, r: 33, p: 1 })],
    ['scrypt p = 17', () => withMember(sealed, 'kdf', { id: 'scrypt', N: 1_024, r: 8, p: 17 })],
    [
      'scrypt over 1 GiB',
      () => withMember(sealed, 'kdf', { id: 'scrypt', N: 2 ** 20, r: 9, p: 1 }),
    ],
    ['argon2id m below 64', () => withMember(sealed, 'kdf', { id: 'argon2id', m: 63, t: 1, p: 1 })],
    [
      'argon2id m above 1 GiB',
      () => withMember(sealed, 'kdf', { id: 'argon2id', m: 2 ** 31, t: 1, p: 1 }),
    ],
    ['argon2id m < 8p', () => withMember(sealed, 'kdf', { id: 'argon2id', m: 64, t: 1, p: 9 })],
    ['argon2id t = 0', () => withMember(sealed, 'kdf', { id: 'argon2id', m: 64, t: 0, p: 1 })],
    ['argon2id t = 21', () => withMember(sealed, 'kdf', { id: 'argon2id', m: 64, t: 21, p: 1 })],
    ['argon2id p = 17', () => withMember(sealed, 'kdf', { id: 'argon2id', m: 1_024, t: 1, p: 17 })],
  ]
  for (const [label, make] of cases) {
    it(label, async () => {
      await expectCode(envelope.open(make(), [S1, S2], context), 'envelope_malformed')
    })
  }

  it('parseEnvelope returns a fresh copy and never decrypts', () => {
    const parsed = parseEnvelope(sealed)
    expect(parsed).toEqual(sealed)
    expect(parsed).not.toBe(sealed)
    expect(parsed.kdf).not.toBe(sealed.kdf)
  })
})

describe('a tampered envelope with costly KDF parameters fails fast', () => {
  // In bounds but maximal: if any of these ran the KDF (seconds to minutes and up to 1 GiB), the
  // 10 s limit below would trip. The MAC refuses them first.
  const costly = [
    { id: 'pbkdf2-sha256', iterations: 10_000_000 },
    { id: 'scrypt', N: 2 ** 20, r: 8, p: 16 },
    { id: 'argon2id', m: 1_048_576, t: 20, p: 1 },
  ]
  for (const kdf of costly) {
    it(`${kdf.id} at its maximum: envelope_tampered`, async () => {
      await expectCode(
        envelope.open(withMember(sealed, 'kdf', kdf), [S1, S2], context),
        'envelope_tampered',
      )
    }, 10_000)
  }
})

describe('check order', () => {
  it('secret shape comes before envelope shape', async () => {
    await expectCode(envelope.open(null, [], context), 'invalid_secrets')
  })
  it('envelope shape comes before context', async () => {
    await expectCode(
      envelope.open(withMember(sealed, 'iv', 'x'), [S1, S2], { ...context, keyId: 'other' }),
      'envelope_malformed',
    )
  })
  it('context comes before the service secret', async () => {
    const other = new SecretEnvelope({ serviceSecret: SECRET_B, kdf: CHEAP.pbkdf2 })
    await expectCode(
      other.open(sealed, [S1, S2], { ...context, keyVersion: 7 }),
      'envelope_context_mismatch',
    )
  })
  it('the service secret comes before the MAC', async () => {
    const other = new SecretEnvelope({ serviceSecret: SECRET_B, kdf: CHEAP.pbkdf2 })
    await expectCode(
      other.open(withMember(sealed, 'ct', flipByte(sealed.ct, 0)), [S1, S2], context),
      'service_secret_mismatch',
    )
  })
})

describe('caller input', () => {
  const badSecrets: [string, unknown][] = [
    ['no secrets', []],
    ['11 secrets', Array.from({ length: 11 }, (_, i) => `secret-${i}`)],
    ['a 1,001-character secret', ['a'.repeat(1_001)]],
    ['1,001 code points of astral characters', ['\u{1F511}'.repeat(1_001)]],
    ['a huge string', ['a'.repeat(1_000_000)]],
    ['an empty string', [S1, '']],
    ['empty bytes', [new Uint8Array(0)]],
    ['4,001 bytes', [new Uint8Array(4_001)]],
    ['a lone surrogate', ['abc\uD800']],
    ['a number', [S1, 42]],
    ['null', [null]],
    ['not an array', S1],
    ['undefined', undefined],
  ]
  for (const [label, secrets] of badSecrets) {
    it(`${label}: invalid_secrets on seal, open and rewrap`, async () => {
      await expectCode(envelope.seal(plaintext, secrets as string[], context), 'invalid_secrets')
      await expectCode(envelope.open(sealed, secrets as string[], context), 'invalid_secrets')
      await expectCode(envelope.rewrap(sealed, secrets as string[], context, {}), 'invalid_secrets')
      // As a rewrap target, undefined means "keep the current secrets".
      if (secrets !== undefined)
        await expectCode(
          envelope.rewrap(sealed, [S1, S2], context, { secrets: secrets as string[] }),
          'invalid_secrets',
        )
    })
  }

  it('a 1,000-character secret whose NFD form is longer still counts after NFC', async () => {
    const nfd = '\u00e9'.repeat(1_000).normalize('NFD') // 2,000 code points before NFC
    const sealedNfd = await envelope.seal(plaintext, [nfd], context)
    expect(await envelope.open(sealedNfd, ['\u00e9'.repeat(1_000)], context)).toEqual(plaintext)
  })

  const badServiceSecrets: [string, unknown][] = [
    ['31 characters', 'short-service-secret-0123456789'],
    ['31 bytes', new Uint8Array(31)],
    ['31 characters after trimming', '   short-service-secret-0123456789 \n'],
    ['a number', 12345678901234567890123456789012345],
    ['undefined', undefined],
  ]
  for (const [label, serviceSecret] of badServiceSecrets) {
    it(`service secret of ${label}: invalid_service_secret`, async () => {
      await expectCode(
        () => new SecretEnvelope({ serviceSecret: serviceSecret as string }),
        'invalid_service_secret',
      )
      await expectCode(
        () =>
          new SecretEnvelope({
            serviceSecret: SECRET_A,
            previousServiceSecrets: [serviceSecret as string],
          }),
        'invalid_service_secret',
      )
    })
  }

  it('KDF parameters out of bounds: invalid_argument on construction and seal', async () => {
    await expectCode(
      () =>
        new SecretEnvelope({
          serviceSecret: SECRET_A,
          kdf: { id: 'pbkdf2-sha256', iterations: 999 },
        }),
      'invalid_argument',
    )
    await expectCode(
      envelope.seal(plaintext, [S1], context, { kdf: { id: 'scrypt', N: 1_000, r: 8, p: 1 } }),
      'invalid_argument',
    )
    await expectCode(
      envelope.seal(plaintext, [S1], context, { kdf: { id: 'argon2id', m: 64, t: 1, p: 16 } }),
      'invalid_argument',
    )
  })

  it('bad plaintext or context: invalid_argument', async () => {
    await expectCode(
      envelope.seal('key' as unknown as Uint8Array, [S1], context),
      'invalid_argument',
    )
    await expectCode(envelope.seal(plaintext, [S1], { ...context, keyId: '' }), 'invalid_argument')
    await expectCode(
      envelope.seal(plaintext, [S1], { ...context, keyVersion: -1 }),
      'invalid_argument',
    )
    await expectCode(
      envelope.seal(plaintext, [S1], { ...context, algorithm: '\uDC00' }),
      'invalid_argument',
    )
    await expectCode(
      envelope.open(sealed, [S1, S2], null as unknown as typeof context),
      'invalid_argument',
    )
    await expectCode(
      () => new SecretEnvelope(null as unknown as { serviceSecret: string }),
      'invalid_argument',
    )
  })
})
