// Pinned known-answer tests: a change to any derivation, label or byte layout breaks these.
import { describe, expect, it } from 'vitest'
import { SecretEnvelope } from '../../src/envelope/index.js'
import { CHEAP, PINNED, sealWithFixedRandomness, VECTOR } from './envelope-fixtures.js'

const envelope = new SecretEnvelope({ serviceSecret: VECTOR.serviceSecret })
const kdfNames = Object.keys(CHEAP) as (keyof typeof CHEAP)[]

describe('envelope known answers', () => {
  for (const name of kdfNames) {
    it(`seals the pinned ${name} vector byte for byte`, async () => {
      const sealed = await sealWithFixedRandomness(
        envelope,
        VECTOR.plaintext,
        VECTOR.secrets,
        VECTOR.context,
        {
          salt: VECTOR.salt,
          iv: VECTOR.iv,
          kdf: CHEAP[name],
        },
      )
      expect(sealed).toEqual(PINNED[name])
      expect(JSON.stringify(sealed)).toBe(JSON.stringify(PINNED[name]))
    })

    it(`opens the pinned ${name} vector`, async () => {
      const opened = await envelope.open(
        JSON.parse(JSON.stringify(PINNED[name])),
        VECTOR.secrets,
        VECTOR.context,
      )
      expect(opened).toEqual(VECTOR.plaintext)
    })
  }

  it('opens the pinned vector with the service secret given as bytes with surrounding whitespace as text', async () => {
    const fromBytes = new SecretEnvelope({
      serviceSecret: new TextEncoder().encode(VECTOR.serviceSecret),
    })
    expect(await fromBytes.open(PINNED.pbkdf2, VECTOR.secrets, VECTOR.context)).toEqual(
      VECTOR.plaintext,
    )
    const fromFile = new SecretEnvelope({ serviceSecret: `\n  ${VECTOR.serviceSecret}\r\n` })
    expect(await fromFile.open(PINNED.pbkdf2, VECTOR.secrets, VECTOR.context)).toEqual(
      VECTOR.plaintext,
    )
  })

  it('opens the pinned vector with the decomposed (NFD) form of a string secret', async () => {
    const nfd = VECTOR.secrets.map((s) => s.normalize('NFD'))
    expect(nfd[1]).not.toBe(VECTOR.secrets[1])
    expect(await envelope.open(PINNED.pbkdf2, nfd, VECTOR.context)).toEqual(VECTOR.plaintext)
  })

  it('opens the pinned vector with secrets given as their UTF-8 bytes', async () => {
    const bytes = VECTOR.secrets.map((s) => new TextEncoder().encode(s.normalize('NFC')))
    expect(await envelope.open(PINNED.pbkdf2, bytes, VECTOR.context)).toEqual(VECTOR.plaintext)
  })
})
