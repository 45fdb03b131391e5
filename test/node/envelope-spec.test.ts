// An independent implementation of docs/envelope.md with node:crypto (noble only for Argon2id,
// which Node 20 lacks), checked against the pinned vectors and against the document itself, so
// the code, the tests and the specification cannot drift apart unnoticed.
import { createDecipheriv, createHmac, hkdfSync, pbkdf2Sync, scryptSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { argon2id } from '@noble/hashes/argon2.js'
import { describe, expect, it } from 'vitest'
import { SecretEnvelope } from '../../src/envelope/index.js'
import type { SealedEnvelope } from '../../src/envelope/index.js'
import { PINNED, VECTOR } from '../core/envelope-fixtures.js'

const doc = readFileSync(new URL('../../docs/envelope.md', import.meta.url), 'utf8')

function block(marker: string): string {
  const match = new RegExp(
    `<!-- test-vector:${marker} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``,
  ).exec(doc)
  if (!match?.[1]) throw new Error(`no ${marker} block in docs/envelope.md`)
  return match[1]
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const lp = (parts: Buffer[]) => Buffer.concat(parts.flatMap((p) => [u32(p.length), p]))
const b64u = (text: string) => Buffer.from(text, 'base64url')
const hkdf = (ikm: Buffer, salt: Buffer | string, info: string, length: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, length))

function canonicalKdf(kdf: SealedEnvelope['kdf']): string {
  if (kdf.id === 'pbkdf2-sha256') return `pbkdf2-sha256;iterations=${kdf.iterations}`
  if (kdf.id === 'scrypt') return `scrypt;N=${kdf.N};r=${kdf.r};p=${kdf.p}`
  return `argon2id;m=${kdf.m};t=${kdf.t};p=${kdf.p}`
}

/** The specification, step by step, returning every intermediate value. */
function specOpen(env: SealedEnvelope, serviceSecret: string, secrets: readonly string[]) {
  const S = Buffer.from(serviceSecret.trim(), 'utf8')
  const sfp = hkdf(S, 'credsign/service-secret/v1', 'fingerprint', 8)
  const macKey = hkdf(S, 'credsign/service-secret/v1', 'envelope-mac', 32)
  const pepper = hkdf(S, 'credsign/service-secret/v1', 'envelope-kek', 32)
  const E = Buffer.concat([
    Buffer.from('credsign/caller-secrets/v1'),
    Buffer.from([secrets.length]),
    ...secrets.flatMap((s) => {
      const bytes = Buffer.from(s.normalize('NFC'), 'utf8')
      return [u32(bytes.length), bytes]
    }),
  ])
  const salt = b64u(env.salt)
  const kdf = env.kdf
  const stretched =
    kdf.id === 'pbkdf2-sha256'
      ? pbkdf2Sync(E, salt, kdf.iterations, 32, 'sha256')
      : kdf.id === 'scrypt'
        ? scryptSync(E, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p })
        : Buffer.from(argon2id(E, salt, { m: kdf.m, t: kdf.t, p: kdf.p, dkLen: 32 }))
  const KEK = hkdf(stretched, pepper, 'credsign/envelope/v1/kek', 32)
  const header = lp([
    Buffer.from('credsign-envelope'),
    Buffer.from('1'),
    Buffer.from(env.kid, 'utf8'),
    Buffer.from(env.alg, 'utf8'),
    Buffer.from(String(env.kv)),
    Buffer.from(canonicalKdf(kdf)),
    salt,
    b64u(env.sfp),
    b64u(env.iv),
  ])
  const ct = b64u(env.ct)
  const mac = createHmac('sha256', macKey).update(header).update(u32(ct.length)).update(ct).digest()
  const decipher = createDecipheriv('aes-256-gcm', KEK, b64u(env.iv))
  decipher.setAAD(header)
  decipher.setAuthTag(ct.subarray(ct.length - 16))
  const plaintext = Buffer.concat([
    decipher.update(ct.subarray(0, ct.length - 16)),
    decipher.final(),
  ])
  return { sfp, macKey, pepper, E, stretched, KEK, header, mac, plaintext }
}

describe('envelope specification (independent node:crypto implementation)', () => {
  for (const [name, env] of Object.entries(PINNED)) {
    it(`opens the pinned ${name} vector and reproduces its fingerprint and MAC`, () => {
      const out = specOpen(env, VECTOR.serviceSecret, VECTOR.secrets)
      expect(new Uint8Array(out.plaintext)).toEqual(VECTOR.plaintext)
      expect(out.sfp.toString('base64url')).toBe(env.sfp)
      expect(out.mac.toString('base64url')).toBe(env.mac)
    })
  }

  it('docs/envelope.md carries the pinned pbkdf2 vector unchanged', () => {
    expect(JSON.parse(block('envelope'))).toEqual(PINNED.pbkdf2)
  })

  it('the document vector opens with SecretEnvelope and with the specification', async () => {
    const env = JSON.parse(block('envelope')) as SealedEnvelope
    const envelope = new SecretEnvelope({ serviceSecret: VECTOR.serviceSecret })
    expect(await envelope.open(env, VECTOR.secrets, VECTOR.context)).toEqual(VECTOR.plaintext)
    expect(new Uint8Array(specOpen(env, VECTOR.serviceSecret, VECTOR.secrets).plaintext)).toEqual(
      VECTOR.plaintext,
    )
  })

  it('the documented intermediate values match the specification', () => {
    const documented = Object.fromEntries(
      block('intermediates')
        .split('\n')
        .map((line) => line.split('=').map((part) => part.trim()) as [string, string]),
    )
    const out = specOpen(PINNED.pbkdf2, VECTOR.serviceSecret, VECTOR.secrets)
    const actual: Record<string, string> = {
      sfp: out.sfp.toString('hex'),
      macKey: out.macKey.toString('hex'),
      pepper: out.pepper.toString('hex'),
      E: out.E.toString('hex'),
      stretched: out.stretched.toString('hex'),
      KEK: out.KEK.toString('hex'),
      header: out.header.toString('hex'),
    }
    expect(documented).toEqual(actual)
  })

  it('the documented header layout example adds up to the header', () => {
    const hex = block('header-layout')
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(0, 2).join(''))
      .join('')
    expect(hex).toBe(
      specOpen(PINNED.pbkdf2, VECTOR.serviceSecret, VECTOR.secrets).header.toString('hex'),
    )
  })

  it('an envelope sealed now with random salt and IV opens with the specification', async () => {
    const envelope = new SecretEnvelope({
      serviceSecret: `  ${VECTOR.serviceSecret}\n`,
      kdf: { id: 'scrypt', N: 1024, r: 1, p: 2 },
    })
    const plaintext = new Uint8Array(Buffer.from('a PKCS#8 key would be here'))
    const sealed = await envelope.seal(plaintext, ['\u00e9', 'x'], {
      keyId: 'k',
      algorithm: 'P-384',
      keyVersion: 12,
    })
    const out = specOpen(sealed, VECTOR.serviceSecret, ['e\u0301', 'x'])
    expect(new Uint8Array(out.plaintext)).toEqual(plaintext)
    expect(out.mac.toString('base64url')).toBe(sealed.mac)
  })
})
