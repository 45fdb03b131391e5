// Known-answer tests against the examples of RFC 9901 (extracted from draft-22) and
// draft-ietf-oauth-sd-jwt-vc-18, copied unchanged into test/fixtures/vectors/ietf-sd-jwt{,-vc}/.
//
// Verification: every issued SD-JWT and every presentation verifies with the published issuer key
// (keys.json) and, where it carries a KB-JWT, the holder key from cnf; the processed claims equal
// verified_contents.json. The clock is fixed just after the KB-JWT's iat (2025 and 2026).
//
// Issuance: the generator's input is recovered from each published payload and its disclosures
// (reconstruct()), then replayed through credsign's issuer with the spec's salts and decoy digests
// (the internal seam) and a Python-json.dumps-compatible encoder. Reproduced byte for byte: every
// disclosure and digest, and the payload (the JWS payload segment for the signed examples). None of
// the examples has decoys inside arrays, whose positions credsign randomizes; the test asserts that.
// Not reproduced: the JWS header (the generator writes `{"alg": "ES256", …}` with spaces; credsign's
// jose layer writes compact JSON) and the ECDSA signatures (randomized).
import { describe, expect, it } from 'vitest'
import { decodeSdJwt, staticResolver, verify, verifySdJwt } from '../../src/index.js'
import { sdDigest } from '../../src/formats/sd-jwt/hash.js'
import { buildSdPayload, issueSdJwtWith } from '../../src/formats/sd-jwt/issue.js'
import { parseDisclosure } from '../../src/formats/sd-jwt/disclosure.js'
import { processPayload } from '../../src/formats/sd-jwt/process.js'
import { b64u, utf8 } from '../../src/util/bytes.js'
import {
  KEYS,
  VC_KEYS,
  fixture,
  fixtureJson,
  foldersWith,
  hasFixture,
  pyJson,
  reconstruct,
  signerFromJwk,
  type SpecDisclosure,
} from './sd-jwt-helpers.js'

const TYPES = ['example+sd-jwt', 'dc+sd-jwt', 'vc+sd-jwt']
const keysOf = (folder: string) => (folder.startsWith('ietf-sd-jwt-vc/') ? VC_KEYS : KEYS)
const trimmed = (path: string) => fixture(path).trim()

/**
 * The verifier clock for a token: 10 s after its KB-JWT's iat, else 2026-01-01 (the issuer JWTs run
 * from 2023 to 2029).
 */
function clockOf(token: string): number {
  const iat = decodeSdJwt(token).kbJwt?.payload.iat
  return typeof iat === 'number' ? (iat + 10) * 1000 : Date.UTC(2026, 0, 1)
}

describe('RFC 9901 / SD-JWT VC examples verify', () => {
  const presentations = [
    ...foldersWith('sd_jwt_presentation.txt').map((f) => `${f}/sd_jwt_presentation.txt`),
    'ietf-sd-jwt-vc/identity-credential/sd_jwt_presentation_without_kb.txt',
  ]
  it('finds the example folders', () => {
    expect(presentations.length).toBeGreaterThanOrEqual(8)
  })

  for (const path of presentations) {
    it(`${path} verifies and yields verified_contents`, async () => {
      const folder = path.slice(0, path.lastIndexOf('/'))
      const token = trimmed(path)
      const kb = decodeSdJwt(token).kbJwt
      const result = await verifySdJwt(token, {
        key: keysOf(folder).issuer_public_jwk,
        typ: TYPES,
        now: clockOf(token),
        ...(kb === undefined
          ? {}
          : { audience: kb.payload.aud as string, nonce: kb.payload.nonce as string }),
      })
      const expected = path.endsWith('_without_kb.txt')
        ? `${folder}/verified_contents_without_kb.json`
        : `${folder}/verified_contents.json`
      expect(result.claims).toEqual(fixtureJson(expected))
      if (kb !== undefined) {
        expect(result.keyBinding?.payload).toEqual(kb.payload)
        if (hasFixture(`${folder}/kb_jwt_payload.json`))
          expect(kb.payload).toEqual(fixtureJson(`${folder}/kb_jwt_payload.json`))
      }
      expect(result.disclosed.length).toBeGreaterThan(0)
    })
  }

  for (const folder of foldersWith('sd_jwt_issuance.txt')) {
    it(`${folder}/sd_jwt_issuance.txt verifies with every disclosure (KB-JWT not required)`, async () => {
      const token = trimmed(`${folder}/sd_jwt_issuance.txt`)
      const result = await verifySdJwt(token, {
        key: keysOf(folder).issuer_public_jwk,
        typ: TYPES,
        now: Date.UTC(2026, 0, 1),
        requireKeyBinding: false,
      })
      expect(result.payload).toEqual(fixtureJson(`${folder}/sd_jwt_payload.json`))
      // With cnf and no KB-JWT the default policy asks for key binding.
      if (result.payload.cnf !== undefined) {
        await expect(
          verifySdJwt(token, {
            key: keysOf(folder).issuer_public_jwk,
            typ: TYPES,
            now: Date.UTC(2026, 0, 1),
          }),
        ).rejects.toMatchObject({ code: 'key_binding_required' })
      }
    })
  }

  for (const file of [
    'flattened_issuance.json',
    'flattened_presentation.json',
    'general_presentation.json',
  ]) {
    it(`JSON serialization: ${file} verifies (first signature; its sd_hash covers the compact form)`, async () => {
      const text = fixture(`ietf-sd-jwt/json-serialization/${file}`)
      const result = await verifySdJwt(text, {
        key: KEYS.issuer_public_jwk,
        typ: TYPES,
        now: Date.UTC(2025, 4, 29, 16, 47, 30),
        keyBindingMaxAgeSeconds: 3600,
        ...(file.includes('presentation')
          ? { audience: 'https://verifier.example.org', nonce: '1234567890' }
          : { requireKeyBinding: false }),
      })
      expect(Object.keys(result.claims)).toEqual(expect.arrayContaining(['iss', 'given_name']))
    })
  }

  it('verify() takes JSON-serialized SD-JWTs to the SD-JWT rules, never as a plain JWS', async () => {
    for (const file of [
      'flattened_issuance.json',
      'flattened_presentation.json',
      'general_presentation.json',
    ]) {
      const input = JSON.parse(fixture(`ietf-sd-jwt/json-serialization/${file}`)) as Record<
        string,
        unknown
      >
      const result = await verify(input, {
        resolver: staticResolver([KEYS.issuer_public_jwk]),
        now: Date.UTC(2025, 4, 29, 16, 47, 30),
      })
      expect(result.format, file).toBe('sd-jwt')
      // The spec examples are typed example+sd-jwt, which verify() does not accept as a credential.
      expect(
        result.errors.map((e) => e.code),
        file,
      ).toContain('typ_mismatch')
    }
  })

  it('nested-data (section 6): flat, structured and recursive payloads resolve to the same claims', () => {
    const input = fixtureJson<Record<string, unknown>>('ietf-sd-jwt/nested-data/input_claims.json')
    for (const variant of ['flat', 'structured', 'recursive']) {
      const payload = fixtureJson<Record<string, unknown>>(
        `ietf-sd-jwt/nested-data/${variant}/sd_jwt_payload.json`,
      )
      const disclosures = fixtureJson<SpecDisclosure[]>(
        `ietf-sd-jwt/nested-data/${variant}/disclosures.json`,
      ).map((d) => parseDisclosure(d.disclosure, 'sha-256'))
      const { claims } = processPayload(payload, disclosures)
      expect(claims, variant).toMatchObject(input)
    }
  })
})

describe('RFC 9901 / SD-JWT VC examples: issuance is reproduced byte for byte', () => {
  it('disclosure-kat.json (section 4.2): every encoding variant and digest', () => {
    const { vectors } = fixtureJson<{
      vectors: {
        salt: string
        claim_name?: string
        claim_value: unknown
        disclosure: string
        digest_sha256: string
        description: string
      }[]
    }>('ietf-sd-jwt/disclosure-kat.json')
    const encoders: Record<string, (v: unknown) => string> = {
      spaces: (v) => pyJson(v).replace(/\\u00f6/g, 'ö'), // the hand-written example keeps raw UTF-8
      python: pyJson,
      compact: JSON.stringify,
      newlines: (v) => `[\n${(v as unknown[]).map((x) => JSON.stringify(x)).join(',\n')}\n]`,
    }
    const choose = (description: string) =>
      /escape/.test(description)
        ? 'python'
        : /no whitespace/.test(description)
          ? 'compact'
          : /newlines/.test(description)
            ? 'newlines'
            : /separators/.test(description)
              ? 'spaces'
              : 'python'
    for (const vector of vectors) {
      const encode = encoders[choose(vector.description)] as (v: unknown) => string
      const claims =
        vector.claim_name === undefined
          ? { list: [vector.claim_value] }
          : { [vector.claim_name]: vector.claim_value }
      const frame =
        vector.claim_name === undefined ? { list: { _sd: [0] } } : { _sd: [vector.claim_name] }
      const { disclosures } = buildSdPayload(
        claims,
        { disclosureFrame: frame },
        { saltGenerator: () => vector.salt, encodeJson: encode },
      )
      expect(disclosures, vector.description).toEqual([vector.disclosure])
      expect(sdDigest('sha-256', vector.disclosure)).toBe(vector.digest_sha256)
    }
  })

  const folders = [...foldersWith('sd_jwt_payload.json')].filter((f) =>
    hasFixture(`${f}/disclosures.json`),
  )
  for (const folder of folders) {
    it(`${folder}: payload and every disclosure`, async () => {
      const payload = fixtureJson<Record<string, unknown>>(`${folder}/sd_jwt_payload.json`)
      const spec = fixtureJson<SpecDisclosure[]>(`${folder}/disclosures.json`)
      const input = reconstruct(payload, spec)
      expect(input.arrayDecoys).toBe(0)
      const options = {
        disclosureFrame: input.frame,
        ...(input.holder ? { holder: input.holder } : {}),
      }
      const built = buildSdPayload(input.claims, options, input.seam)
      expect(pyJson(built.payload)).toBe(pyJson(payload))
      expect([...built.disclosures].sort()).toEqual(spec.map((d) => d.disclosure).sort())
      for (const d of spec) expect(sdDigest('sha-256', d.disclosure)).toBe(d.digest_sha256)

      if (hasFixture(`${folder}/sd_jwt_issuance.txt`)) {
        // Signed by credsign's issuer with the spec key: the payload segment is the spec's, byte for byte.
        const published = trimmed(`${folder}/sd_jwt_issuance.txt`)
        const keys = keysOf(folder)
        const typ = JSON.parse(atob(published.split('.')[0] as string)).typ as string
        const signer = await signerFromJwk(keys.issuer_private_jwk, 'issuer-key')
        const ours = await issueSdJwtWith(
          signer,
          input.claims,
          { ...options, typ, kid: false },
          input.seam,
        )
        expect(ours.split('~')[0]?.split('.')[1]).toBe(published.split('~')[0]?.split('.')[1])
        expect(ours.split('~').slice(1, -1).sort()).toEqual(
          published.split('~').slice(1, -1).sort(),
        )
        const verified = await verifySdJwt(ours, {
          key: keys.issuer_public_jwk,
          typ: TYPES,
          now: Date.UTC(2026, 0, 1),
          requireKeyBinding: false,
        })
        expect(verified.payload).toEqual(payload)
        expect(b64u(utf8(pyJson(verified.payload)))).toBe(published.split('.')[1])
      }
    })
  }
})
