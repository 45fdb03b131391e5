// Data Integrity under hostile input: every case fails fast with its own code (never a crash, a
// hang or a silently unsigned member), and signing refuses what would make an unverifiable or
// aliased proof. Runs in Node and in Chromium.
import { describe, expect, it } from 'vitest'
import { verify, type Signer, type VerificationResult } from '../../src/index.js'
import {
  DataIntegritySigner,
  canonizeRdfc,
  createDocumentLoader,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import {
  MAX_CONTEXT_ENTRIES,
  MAX_INLINE_TERMS,
  MAX_JSONLD_VALUES,
} from '../../src/formats/data-integrity/jsonld.js'
import { clone, rejectionCode } from './di-helpers.js'
import { didSigner } from './vc-helpers.js'

const handlers = [dataIntegrityHandler()]
const V2 = 'https://www.w3.org/ns/credentials/v2'
const CREDENTIAL = {
  '@context': [V2, 'https://www.w3.org/ns/credentials/examples/v2'],
  id: 'urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33',
  type: ['VerifiableCredential', 'AlumniCredential'],
  credentialSubject: { id: 'did:example:abcdefgh', alumniOf: 'The School of Examples' },
}
/** No @vocab: an undefined term is a safe-mode error. */
const STRICT_CREDENTIAL = {
  '@context': [V2],
  type: ['VerifiableCredential'],
  credentialSubject: { id: 'did:example:abcdefgh' },
}

const codes = (result: VerificationResult) => result.errors.map((e) => e.code)

describe('hostile verification input', () => {
  it('a __proto__ member (from JSON text) is jsonld_invalid, not silently left unsigned', async () => {
    const secured = await new DataIntegritySigner(await didSigner()).sign(STRICT_CREDENTIAL)
    const text = JSON.stringify(secured).replace(
      '"credentialSubject":{',
      '"credentialSubject":{"__proto__":{"admin":true},',
    )
    const result = await verify(text, { handlers })
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['jsonld_invalid'])
    // In the proof as well.
    const inProof = JSON.stringify(secured).replace(
      '"proof":{',
      '"proof":{"__proto__":{"admin":true},',
    )
    expect(codes(await verify(inProof, { handlers }))).toEqual(['jsonld_invalid'])
    // And at signing: nothing is signed that the signature would not cover.
    const hostile = JSON.parse('{"__proto__":{"admin":true}}') as Record<string, unknown>
    expect(
      await rejectionCode(
        new DataIntegritySigner(await didSigner()).sign({
          ...clone(STRICT_CREDENTIAL),
          credentialSubject: { id: 'did:example:a', ...hostile },
        }),
      ),
    ).toBe('jsonld_invalid')
  })

  it('many inline contexts (quadratic in jsonld) are refused quickly: jsonld_limit_exceeded', async () => {
    const secured = await new DataIntegritySigner(await didSigner()).sign(CREDENTIAL)
    const siblings = Array.from({ length: 2000 }, (_, i) => ({
      '@context': { [`m${i}`]: `https://ex.example/m${i}` },
      [`m${i}`]: 'y',
    }))
    const big = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`t${i}`, `https://ex.example/${i}`]),
    )
    const scoped = Object.fromEntries(
      Array.from({ length: 4000 }, (_, i) => [
        `s${i}`,
        { '@id': `https://ex.example/s${i}`, '@context': {} },
      ]),
    )
    const inputs = [
      { ...clone(secured), credentialSubject: { id: 'did:example:a', alumniOf: siblings } },
      { ...clone(secured), '@context': [...CREDENTIAL['@context'], big] },
      { ...clone(secured), '@context': [...CREDENTIAL['@context'], scoped] },
      {
        ...clone(secured),
        '@context': [
          ...CREDENTIAL['@context'],
          ...Array.from({ length: MAX_CONTEXT_ENTRIES }, (_, i) => ({
            [`c${i}`]: `https://ex.example/c${i}`,
          })),
        ],
      },
    ]
    // Inline contexts are refused by default (context policy); the limits hold where they are allowed.
    const inlineHandlers = [dataIntegrityHandler({ allowInlineContexts: true })]
    for (const input of inputs) {
      expect(codes(await verify(input, { handlers }))).toEqual(['context_not_allowed'])
      const started = Date.now()
      const result = await verify(input, { handlers: inlineHandlers })
      expect(codes(result)).toEqual(['jsonld_limit_exceeded'])
      expect(Date.now() - started).toBeLessThan(2000)
    }
    // Within the limits, still fine (and not slow).
    const within = Object.fromEntries(
      Array.from({ length: MAX_INLINE_TERMS - 10 }, (_, i) => [`t${i}`, `https://ex.example/${i}`]),
    )
    const ok = await new DataIntegritySigner(await didSigner(), { allowInlineContexts: true }).sign(
      { ...clone(CREDENTIAL), '@context': [...CREDENTIAL['@context'], within] },
    )
    expect((await verify(ok, { handlers: inlineHandlers })).verified).toBe(true)
  })

  it('many values of one node property (quadratic duplicate removal in jsonld) are refused quickly: jsonld_limit_exceeded', async () => {
    const signer = new DataIntegritySigner(await didSigner())
    const secured = await signer.sign(CREDENTIAL)
    // One long array, and the same node reached through many members (merged by its id).
    const merged: Record<string, unknown> = { id: 'did:example:abcdefgh' }
    for (let i = 0; i < 20_000; i++) merged[`p${i}`] = { id: 'urn:x:same', alumniOf: `v${i}` }
    const inputs: Record<string, unknown>[] = [
      {
        ...clone(secured),
        credentialSubject: {
          id: 'did:example:abcdefgh',
          alumniOf: Array.from({ length: 40_000 }, (_, i) => `v${i}`),
        },
      },
      { ...clone(secured), credentialSubject: merged },
    ]
    for (const input of inputs) {
      const started = Date.now()
      expect(codes(await verify(input, { handlers }))).toEqual(['jsonld_limit_exceeded'])
      expect(Date.now() - started).toBeLessThan(2000)
      const { proof: _proof, ...unsecured } = input
      expect(await rejectionCode(signer.sign(unsecured))).toBe('jsonld_limit_exceeded')
    }
    // Below the limit: signs and verifies.
    const many = await signer.sign({
      ...clone(CREDENTIAL),
      credentialSubject: {
        id: 'did:example:abcdefgh',
        alumniOf: Array.from({ length: MAX_JSONLD_VALUES / 5 }, (_, i) => `v${i}`),
      },
    })
    expect((await verify(many, { handlers })).verified).toBe(true)
  })

  it('an empty, null or string proof is proof_invalid (the handler is enabled), not format_not_enabled', async () => {
    const secured = await new DataIntegritySigner(await didSigner()).sign(CREDENTIAL)
    for (const proof of [[], null, 'x', 5]) {
      const result = await verify({ ...clone(secured), proof }, { handlers })
      expect(result.format).toBe('data-integrity')
      expect(codes(result)).toEqual(['proof_invalid'])
    }
  })

  it('created / expires without a time zone are proof_invalid (dateTimeStamp), and refused at signing', async () => {
    const signer = new DataIntegritySigner(await didSigner())
    const secured = await signer.sign(CREDENTIAL)
    for (const member of ['created', 'expires']) {
      const proof = {
        ...(secured.proof as Record<string, unknown>),
        [member]: '2024-01-01T00:00:00',
      }
      expect(codes(await verify({ ...clone(secured), proof }, { handlers }))).toEqual([
        'proof_invalid',
      ])
    }
    expect(await rejectionCode(signer.sign(CREDENTIAL, { created: '2024-01-01T00:00:00' }))).toBe(
      'invalid_argument',
    )
    expect(await rejectionCode(signer.sign(CREDENTIAL, { expires: '2030-01-01T00:00:00' }))).toBe(
      'invalid_argument',
    )
    const withOffset = await signer.sign(CREDENTIAL, {
      created: '2024-01-01T02:00:00+02:00',
      expires: '2099-01-01T00:00:00Z',
    })
    expect((await verify(withOffset, { handlers })).verified).toBe(true)
  })

  it('a huge proofValue is proof_invalid before any decoding', async () => {
    const secured = await new DataIntegritySigner(await didSigner()).sign(CREDENTIAL)
    const proof = {
      ...(secured.proof as Record<string, unknown>),
      proofValue: `z${'2'.repeat(1_000_000)}`,
    }
    const started = Date.now()
    const result = await verify({ ...clone(secured), proof }, { handlers })
    expect(codes(result)).toEqual(['proof_invalid'])
    expect(result.errors[0]?.message).toMatch(/characters long/)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it("a string context equal to another document's inline context is not resolved from the cache", async () => {
    const loader = createDocumentLoader()
    const inline = { foo: 'https://ex.example/foo' }
    await canonizeRdfc(
      { '@context': [V2, inline], id: 'urn:x:1', type: ['VerifiableCredential'], foo: 'bar' },
      loader,
    )
    const reference = {
      '@context': [V2, JSON.stringify(inline)],
      id: 'urn:x:2',
      type: ['VerifiableCredential'],
      foo: 'baz',
    }
    // A fresh loader and a used one must agree: the string is no context this loader knows.
    expect(await rejectionCode(canonizeRdfc(reference, createDocumentLoader()))).toBe(
      'context_not_found',
    )
    expect(await rejectionCode(canonizeRdfc(reference, loader))).toBe('context_not_found')
  })
})

describe('hostile signing input', () => {
  it('a signer returning a signature of the wrong length is invalid_argument, not an unverifiable proof', async () => {
    const good = await didSigner('P-256')
    for (const bytes of [new Uint8Array(3), new Uint8Array(72)]) {
      const bad: Signer = { ...good, sign: () => Promise.resolve(bytes) }
      expect(await rejectionCode(new DataIntegritySigner(bad).sign(CREDENTIAL))).toBe(
        'invalid_argument',
      )
    }
  })

  it('now and options of the wrong type are invalid_argument, not a TypeError', async () => {
    const signer = await didSigner()
    expect(() => new DataIntegritySigner(signer, { now: 5 as never })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
    const di = new DataIntegritySigner(signer)
    expect(await rejectionCode(di.sign(CREDENTIAL, { now: 'soon' as never }))).toBe(
      'invalid_argument',
    )
    expect(await rejectionCode(di.sign(CREDENTIAL, null as never))).toBe('invalid_argument')
    expect(await rejectionCode(di.sign(CREDENTIAL, 'x' as never))).toBe('invalid_argument')
  })

  it("the caller's domain array is copied, not shared with the proof", async () => {
    const domain = ['https://verifier.example']
    const signer = new DataIntegritySigner(await didSigner(), { domain })
    const presentation = { '@context': [V2], type: ['VerifiablePresentation'] }
    const first = await signer.sign(presentation, { challenge: 'n-1' })
    domain.push('https://other.example')
    const second = await signer.sign(presentation, { challenge: 'n-2' })
    expect((first.proof as Record<string, unknown>).domain).toEqual(['https://verifier.example'])
    expect((second.proof as Record<string, unknown>).domain).toEqual([
      'https://verifier.example',
      'https://other.example',
    ])
    expect(
      (await verify(first, { handlers, nonce: 'n-1', audience: 'https://verifier.example' }))
        .verified,
    ).toBe(true)
  })
})
