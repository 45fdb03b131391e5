// The Data Integrity context policy (issue 13, items 1, 4 and 6): contexts appended after signing
// that rename or swap terms (same RDF, so the rdfc proof still verifies, while the JSON an
// application reads says something else), contexts the jcs proofs do not sign, protected term
// redefinitions, credentials wrapped in JSON-LD forms (@graph, @included, @nest) that hide their
// members from the checks, and safe-mode errors that say where the problem is.
//
// Each attack is built concretely: signed, tampered, shown to still carry a valid proof (with
// the policy relaxed where it can be), and refused by default.
import { describe, expect, it } from 'vitest'
import { verify, type KeyAlgorithm, type VerificationResult } from '../../src/index.js'
import {
  DataIntegritySigner,
  canonizeRdfc,
  createDocumentLoader,
  dataIntegrityHandler,
  type CryptosuiteName,
} from '../../src/formats/data-integrity/index.js'
import { createProof } from '../../src/formats/data-integrity/create-proof.js'
import { CRYPTOSUITES } from '../../src/formats/data-integrity/cryptosuites.js'
import { clone, rejectionCode } from './di-helpers.js'
import { didSigner } from './vc-helpers.js'

const V1 = 'https://www.w3.org/2018/credentials/v1'
const V2 = 'https://www.w3.org/ns/credentials/v2'
const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2'
const EXAMPLES_V1 = 'https://www.w3.org/2018/credentials/examples/v1'
/** The examples context's @vocab: where undefined terms of EXAMPLES_V2 documents go. */
const EX = 'https://www.w3.org/ns/credentials/examples#'

type Json = Record<string, any>

const PERSON: Json = {
  '@context': [V2, EXAMPLES_V2],
  id: 'urn:uuid:2f1c1f36-6a1d-4a43-9d0c-0e3b1f7a2b10',
  type: ['VerifiableCredential', 'ExamplePersonCredential'],
  validFrom: '2024-01-01T00:00:00Z',
  credentialSubject: {
    id: 'did:example:alice',
    firstName: 'Alice',
    lastName: 'Smith',
    revoked: true,
  },
}

const handlers = [dataIntegrityHandler()]
/** The policy relaxed as far as it goes: shows that a tampered document still carries a valid proof. */
const inlineHandlers = [dataIntegrityHandler({ allowInlineContexts: true })]
const codes = (result: VerificationResult) => result.errors.map((e) => e.code)

async function signed(
  cryptosuite: CryptosuiteName,
  algorithm: KeyAlgorithm = 'Ed25519',
  document: Json = PERSON,
  options: Json = {},
): Promise<Json> {
  return new DataIntegritySigner(await didSigner(algorithm), { cryptosuite, ...options }).sign(
    clone(document),
  )
}

const RDFC_SUITES: [CryptosuiteName, KeyAlgorithm][] = [
  ['eddsa-rdfc-2022', 'Ed25519'],
  ['ecdsa-rdfc-2019', 'P-256'],
  ['Ed25519Signature2020', 'Ed25519'],
]
const JCS_SUITES: [CryptosuiteName, KeyAlgorithm][] = [
  ['eddsa-jcs-2022', 'Ed25519'],
  ['ecdsa-jcs-2019', 'P-256'],
]

describe('context injection: an inline context appended after signing (rdfc suites)', () => {
  for (const [suite, algorithm] of RDFC_SUITES) {
    it(`${suite}: renaming a claim (revoked → note) keeps the proof valid, and is refused`, async () => {
      const secured = await signed(suite, algorithm)
      expect((await verify(secured, { handlers })).errors).toEqual([])
      const tampered = clone(secured)
      delete tampered.credentialSubject.revoked
      tampered.credentialSubject.note = true
      tampered['@context'].push({ note: `${EX}revoked` })
      // The RDF is the same, so the signature verifies once inline contexts are allowed ...
      const relaxed = await verify(tampered, { handlers: inlineHandlers })
      expect(relaxed.errors).toEqual([])
      expect(relaxed.credential?.credentialSubject).toMatchObject({ note: true })
      expect(relaxed.credential?.credentialSubject).not.toHaveProperty('revoked')
      // ... and by default the document is refused before any proof is checked.
      const result = await verify(tampered, { handlers })
      expect(result.verified).toBe(false)
      expect(codes(result)).toEqual(['context_not_allowed'])
      expect(result.checks.find((c) => !c.passed)?.name).toBe('context')
      expect(result.errors[0]?.message).toMatch(/^@context\[\d\]: an inline context object/)
    })

    it(`${suite}: swapping firstName and lastName keeps the proof valid, and is refused`, async () => {
      const secured = await signed(suite, algorithm)
      const tampered = clone(secured)
      tampered.credentialSubject.firstName = 'Smith'
      tampered.credentialSubject.lastName = 'Alice'
      tampered['@context'].push({ firstName: `${EX}lastName`, lastName: `${EX}firstName` })
      expect((await verify(tampered, { handlers: inlineHandlers })).errors).toEqual([])
      expect(codes(await verify(tampered, { handlers }))).toEqual(['context_not_allowed'])
    })
  }

  it('an inline context inside the document (not only at the top) is refused as well', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    const tampered = clone(secured)
    tampered.credentialSubject['@context'] = { note: `${EX}revoked` }
    delete tampered.credentialSubject.revoked
    tampered.credentialSubject.note = true
    expect((await verify(tampered, { handlers: inlineHandlers })).errors).toEqual([])
    const result = await verify(tampered, { handlers })
    expect(codes(result)).toEqual(['context_not_allowed'])
    expect(result.errors[0]?.message).toMatch(/^credentialSubject\.@context: /)
  })

  it('a null context entry (which clears the term definitions before it) counts as inline', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    expect(
      codes(
        await verify(
          { ...clone(secured), '@context': [...secured['@context'], null] },
          { handlers },
        ),
      ),
    ).toEqual(['context_not_allowed'])
  })

  it('a redefined protected term is protected_term_redefinition, naming the term and where it is defined', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    const tampered = {
      ...clone(secured),
      '@context': [...secured['@context'], { VerifiableCredential: 'https://evil.example/VC' }],
    }
    const result = await verify(tampered, { handlers: inlineHandlers })
    expect(codes(result)).toEqual(['protected_term_redefinition'])
    expect(result.errors[0]?.message).toMatch(
      /@context\[2\]: a context redefines the protected term "VerifiableCredential"/,
    )
    // And at signing.
    const document = {
      ...clone(PERSON),
      '@context': [V2, EXAMPLES_V2, { VerifiableCredential: 'https://evil.example/VC' }],
    }
    expect(
      await rejectionCode(
        new DataIntegritySigner(await didSigner(), { allowInlineContexts: true }).sign(document),
      ),
    ).toBe('protected_term_redefinition')
  })
})

describe('context injection: the jcs suites', () => {
  for (const [suite, algorithm] of JCS_SUITES) {
    it(`${suite}: an appended context (inline, redefining issuer) is refused`, async () => {
      const secured = await signed(suite, algorithm)
      expect((await verify(secured, { handlers })).errors).toEqual([])
      const tampered = {
        ...clone(secured),
        '@context': [...secured['@context'], { issuer: 'https://evil.example/issuer' }],
      }
      expect(codes(await verify(tampered, { handlers }))).toEqual(['context_not_allowed'])
      // Allowing inline contexts does not help: the proof does not sign the appended entry.
      const relaxed = await verify(tampered, { handlers: inlineHandlers })
      expect(codes(relaxed)).toEqual(['context_not_allowed'])
      expect(relaxed.errors[0]?.message).toMatch(/no proof signs/)
    })

    // A proof set: the issuer's proof signs the document with its own, shorter @context, and a
    // second proof by any other key signs the appended entries. Every proof verified and the
    // issuer's bound the credential to the issuer, so the entries the issuer never signed passed
    // for signed ("some proof signs the whole @context"). Each proof must sign all of it.
    it(`${suite}: appended entries signed by another key's proof, next to the issuer's, are refused`, async () => {
      const secured = await signed(suite, algorithm)
      const attacker = await didSigner('Ed25519')
      const appended: [string, unknown, typeof handlers][] = [
        ['a bundled URL', EXAMPLES_V1, handlers],
        ['an inline context', { note: `${EX}revoked` }, inlineHandlers],
      ]
      for (const [label, entry, hs] of appended) {
        const tampered = { ...clone(secured), '@context': [...secured['@context'], entry] }
        expect(codes(await verify(tampered, { handlers: hs })), label).toEqual([
          'context_not_allowed',
        ])
        const attackSuites: CryptosuiteName[] =
          typeof entry === 'string' ? ['eddsa-jcs-2022'] : ['eddsa-jcs-2022', 'eddsa-rdfc-2022']
        for (const attackSuite of attackSuites) {
          // Made as an attacker would, with any code (DataIntegritySigner refuses to, see below).
          const { proof } = await createProof(
            tampered,
            [secured.proof],
            CRYPTOSUITES[attackSuite],
            attacker,
            { verificationMethod: attacker.id, proofPurpose: 'assertionMethod' },
            createDocumentLoader(),
          )
          const doubled = { ...tampered, proof: [secured.proof, proof] }
          expect(doubled.proof, label).toHaveLength(2)
          const result = await verify(doubled, { handlers: hs })
          expect(result.verified, `${label}, ${attackSuite}`).toBe(false)
          expect(codes(result), `${label}, ${attackSuite}`).toEqual(['context_not_allowed'])
          expect(result.errors[0]?.message).toMatch(/proof\[0\]/)
        }
      }
      // A set whose proofs all sign the whole @context still verifies.
      const both = await new DataIntegritySigner(attacker, {
        cryptosuite: 'eddsa-jcs-2022',
        allowIssuerMismatch: true,
      }).sign(secured)
      expect((await verify(both, { handlers })).errors).toEqual([])
      // Nor does the signer append its suite's context to a document whose jcs proof signs the
      // @context as it is (it made documents that verification refuses).
      expect(
        await rejectionCode(
          new DataIntegritySigner(attacker, {
            cryptosuite: 'Ed25519Signature2020',
            allowIssuerMismatch: true,
          }).sign(secured),
        ),
      ).toBe('context_not_allowed')
    })

    it(`${suite}: an appended context URL the proof does not sign is refused, even a bundled one`, async () => {
      const secured = await signed(suite, algorithm)
      const tampered = { ...clone(secured), '@context': [...secured['@context'], EXAMPLES_V1] }
      expect(codes(await verify(tampered, { handlers }))).toEqual(['context_not_allowed'])
    })
  }

  it('an unknown context is refused by the jcs suites too (context_not_found), at signing and verification', async () => {
    const document = {
      ...clone(PERSON),
      '@context': [V2, EXAMPLES_V2, 'https://unknown.example/context/v1'],
    }
    const signer = new DataIntegritySigner(await didSigner(), { cryptosuite: 'eddsa-jcs-2022' })
    expect(await rejectionCode(signer.sign(document))).toBe('context_not_found')
    const contexts = {
      'https://unknown.example/context/v1': {
        '@context': { favoriteColor: 'https://example.org/vocab#favoriteColor' },
      },
    }
    const secured = await new DataIntegritySigner(await didSigner(), {
      cryptosuite: 'eddsa-jcs-2022',
      documentLoader: createDocumentLoader({ contexts }),
    }).sign(document)
    expect(codes(await verify(secured, { handlers }))).toEqual(['context_not_found'])
    expect(
      (await verify(secured, { handlers: [dataIntegrityHandler({ contexts })] })).errors,
    ).toEqual([])
  })
})

describe('allowedContexts', () => {
  it('the handler option and the per-call verify() option: any other URL is context_not_allowed', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    const strict = [dataIntegrityHandler({ allowedContexts: [V2] })]
    const result = await verify(secured, { handlers: strict })
    expect(codes(result)).toEqual(['context_not_allowed'])
    expect(result.errors[0]?.message).toMatch(
      /^@context\[1\]: the context "https:\/\/www\.w3\.org\/ns\/credentials\/examples\/v2" is not in allowedContexts/,
    )
    expect(
      (
        await verify(secured, {
          handlers: [dataIntegrityHandler({ allowedContexts: [V2, EXAMPLES_V2] })],
        })
      ).errors,
    ).toEqual([])
    // Per call: replaces the handler's list.
    expect(
      (await verify(secured, { handlers: strict, allowedContexts: [V2, EXAMPLES_V2] })).errors,
    ).toEqual([])
    expect(codes(await verify(secured, { handlers, allowedContexts: [V2] }))).toEqual([
      'context_not_allowed',
    ])
  })

  it('a known context appended to an rdfc credential is refused when not allowed', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    // The DID context defines none of the document's terms: the RDF, and the proof, are unchanged.
    const appended = {
      ...clone(secured),
      '@context': [...secured['@context'], 'https://www.w3.org/ns/did/v1'],
    }
    expect((await verify(appended, { handlers })).errors).toEqual([])
    expect(codes(await verify(appended, { handlers, allowedContexts: [V2, EXAMPLES_V2] }))).toEqual(
      ['context_not_allowed'],
    )
  })

  it('applies to the credentials inside a presentation, and to signing', async () => {
    const holder = await didSigner()
    const credential = await signed('eddsa-rdfc-2022')
    const presentation = await new DataIntegritySigner(holder).sign({
      '@context': [V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [credential],
    })
    expect((await verify(presentation, { handlers, issuerBinding: false })).errors).toEqual([])
    expect(
      codes(await verify(presentation, { handlers, issuerBinding: false, allowedContexts: [V2] })),
    ).toEqual(['context_not_allowed'])
    expect(
      await rejectionCode(
        new DataIntegritySigner(holder, { allowedContexts: [V2] }).sign(clone(PERSON)),
      ),
    ).toBe('context_not_allowed')
    expect(() =>
      dataIntegrityHandler({
        allowedContexts: 'https://www.w3.org/ns/credentials/v2' as unknown as string[],
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
    expect(() =>
      dataIntegrityHandler({ allowInlineContexts: 'yes' as unknown as boolean }),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument' }))
  })

  it('an application context added to the loader by URL is the way to extend the vocabulary', async () => {
    const contexts = {
      'https://example.org/ctx/v1': {
        '@context': { favoriteColor: 'https://example.org/vocab#favoriteColor' },
      },
    }
    const document = {
      ...clone(PERSON),
      '@context': [V2, 'https://example.org/ctx/v1'],
      type: ['VerifiableCredential'],
      credentialSubject: { id: 'did:example:a', favoriteColor: 'blue' },
    }
    const secured = await new DataIntegritySigner(await didSigner(), {
      documentLoader: createDocumentLoader({ contexts }),
    }).sign(document)
    expect(
      (await verify(secured, { handlers: [dataIntegrityHandler({ contexts })] })).errors,
    ).toEqual([])
    expect(
      (
        await verify(secured, {
          handlers: [
            dataIntegrityHandler({ contexts, allowedContexts: [V2, 'https://example.org/ctx/v1'] }),
          ],
        })
      ).errors,
    ).toEqual([])
  })
})

describe('signing applies the same policy', () => {
  it('an inline context is refused unless allowed; what is signed with it verifies only where allowed', async () => {
    const document = {
      ...clone(PERSON),
      '@context': [
        V2,
        { firstName: `${EX}firstName`, lastName: `${EX}lastName`, revoked: `${EX}revoked` },
      ],
      type: ['VerifiableCredential'],
    }
    expect(await rejectionCode(new DataIntegritySigner(await didSigner()).sign(document))).toBe(
      'context_not_allowed',
    )
    const secured = await new DataIntegritySigner(await didSigner(), {
      allowInlineContexts: true,
    }).sign(document)
    expect(codes(await verify(secured, { handlers }))).toEqual(['context_not_allowed'])
    expect((await verify(secured, { handlers: inlineHandlers })).errors).toEqual([])
  })

  it('inline contexts, when allowed, may not alias the keywords that hide members', async () => {
    const document = { ...clone(PERSON), '@context': [V2, EXAMPLES_V2, { wrapper: '@nest' }] }
    expect(
      await rejectionCode(
        new DataIntegritySigner(await didSigner(), { allowInlineContexts: true }).sign(document),
      ),
    ).toBe('jsonld_form_not_allowed')
    const graphAlias = {
      ...clone(PERSON),
      '@context': [V2, EXAMPLES_V2, { all: { '@id': '@graph' } }],
    }
    expect(
      await rejectionCode(
        new DataIntegritySigner(await didSigner(), { allowInlineContexts: true }).sign(graphAlias),
      ),
    ).toBe('jsonld_form_not_allowed')
  })
})

describe('@graph wrapping and other forms that hide a credential from the checks', () => {
  const EXPIRED: Json = {
    ...PERSON,
    validFrom: '2019-01-01T00:00:00Z',
    validUntil: '2020-01-01T00:00:00Z',
  }

  async function expiredCredential(): Promise<Json> {
    const secured = await signed('eddsa-rdfc-2022', 'Ed25519', EXPIRED)
    expect(codes(await verify(secured, { handlers }))).toEqual(['expired'])
    return secured
  }

  it('an expired credential wrapped in a top-level @graph is refused (was verified: true)', async () => {
    const secured = await expiredCredential()
    const { '@context': context, proof, ...node } = clone(secured)
    const wrapped = { '@context': context, '@graph': [node], proof }
    const result = await verify(wrapped, { handlers })
    expect(result.verified).toBe(false)
    expect(codes(result)).toEqual(['jsonld_form_not_allowed'])
    // The proof inside the wrapped node is no different: there is no top-level proof, so the
    // handler does not take it (format_not_enabled would be unsupported here), and it never verifies.
    const inside = { '@context': context, '@graph': [{ ...node, proof }] }
    expect((await verify(inside, { handlers })).verified).toBe(false)
  })

  it('@included, @set and @reverse wrappers are refused too', async () => {
    const secured = await expiredCredential()
    const { '@context': context, proof, ...node } = clone(secured)
    for (const keyword of ['@included', '@set']) {
      expect(
        codes(await verify({ '@context': context, [keyword]: [node], proof }, { handlers })),
      ).toEqual(['jsonld_form_not_allowed'])
    }
    const { issuer, ...withoutIssuer } = node
    const reverse = {
      '@context': context,
      id: issuer,
      '@reverse': { issuer: withoutIssuer },
      proof,
    }
    expect(codes(await verify(reverse, { handlers }))).toEqual(['jsonld_form_not_allowed'])
  })

  it('validUntil moved into @nest (same RDF, invisible to the validity check) is refused', async () => {
    const secured = await expiredCredential()
    const { validUntil, ...rest } = clone(secured)
    const nested = { ...rest, '@nest': { validUntil } }
    expect((await verify(nested, { handlers })).verified).toBe(false)
    expect(codes(await verify(nested, { handlers }))).toEqual(['jsonld_form_not_allowed'])
  })

  it('a credential whose type is written as @type or as a full IRI is still a credential (and fails its data model)', async () => {
    const secured = await expiredCredential()
    const { type, ...rest } = clone(secured)
    const atType = { ...rest, '@type': type }
    const iriType = {
      ...rest,
      type: [
        'https://www.w3.org/2018/credentials#VerifiableCredential',
        `${EX}ExamplePersonCredential`,
      ],
    }
    // @type instead of type is refused as a form (members are read by their terms)
    const asAtType = await verify(atType, { handlers })
    expect(asAtType.verified).toBe(false)
    expect(codes(asAtType)).toContain('jsonld_form_not_allowed')
    const result = await verify(iriType, { handlers })
    expect(result.verified).toBe(false)
    expect(codes(result)).toContain('credential_invalid')
    expect(result.credential).toBeDefined()
  })

  it('members named by an IRI, a compact IRI or @id are refused (an expired validUntil renamed to its IRI would verify)', async () => {
    const secured = await expiredCredential()
    const { validUntil, ...rest } = clone(secured)
    expect(validUntil).toBeDefined()
    const iri = {
      ...rest,
      'https://www.w3.org/2018/credentials#validUntil': {
        '@value': validUntil,
        '@type': 'http://www.w3.org/2001/XMLSchema#dateTime',
      },
    }
    const { id, ...withoutId } = clone(secured)
    const atId = { ...withoutId, '@id': id ?? 'urn:uuid:1' }
    const proof = clone(secured).proof as Record<string, unknown>
    const { created, ...proofRest } = proof
    const proofIri = {
      ...clone(secured),
      proof: { ...proofRest, 'https://w3id.org/security#created': created },
    }
    for (const [name, disguised] of [
      ['validUntil as an IRI', iri],
      ['@id', atId],
      ['proof member as an IRI', proofIri],
    ] as const) {
      const result = await verify(disguised, { handlers })
      expect(result.verified, name).toBe(false)
      expect(codes(result), name).toContain('jsonld_form_not_allowed')
    }
    const signer = new DataIntegritySigner(await didSigner())
    const { validUntil: until, ...unsigned } = clone(EXPIRED)
    expect(await rejectionCode(signer.sign({ ...unsigned, 'cred:validUntil': until }))).toBe(
      'jsonld_form_not_allowed',
    )
  })

  it('signing refuses the wrapped forms as well', async () => {
    const { '@context': context, ...node } = clone(EXPIRED)
    const signer = new DataIntegritySigner(await didSigner())
    expect(await rejectionCode(signer.sign({ '@context': context, '@graph': [node] }))).toBe(
      'jsonld_form_not_allowed',
    )
    expect(
      await rejectionCode(
        signer.sign({
          ...clone(PERSON),
          credentialSubject: { id: 'did:example:a', '@nest': { firstName: 'A' } },
        }),
      ),
    ).toBe('jsonld_form_not_allowed')
  })
})

describe('safe-mode errors name the member and its path', () => {
  const V1_DEGREE: Json = {
    '@context': [V1],
    type: ['VerifiableCredential'],
    issuanceDate: '2024-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:alice', degree: { name: 'BSc' } },
  }

  it('an undefined term: credentialSubject.degree: term not defined by any context', async () => {
    const error = await new DataIntegritySigner(await didSigner())
      .sign(clone(V1_DEGREE))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'jsonld_invalid' })
    expect((error as Error).message).toMatch(
      /^credentialSubject\.degree: term not defined by any context/,
    )
  })

  it('an undefined type, a relative id and a bad language tag', async () => {
    const loader = createDocumentLoader()
    const type = await canonizeRdfc(
      {
        ...clone(V1_DEGREE),
        type: ['VerifiableCredential', 'UniversityDegreeCredential'],
        credentialSubject: { id: 'did:example:a' },
      },
      loader,
    ).catch((e: Error) => e)
    expect(type).toMatchObject({
      code: 'jsonld_invalid',
      message: expect.stringMatching(
        /^type\[1\]: type "UniversityDegreeCredential" is not defined by any context/,
      ),
    })
    const relative = await canonizeRdfc(
      {
        '@context': [V2],
        id: 'credential-1',
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:a' },
      },
      loader,
    ).catch((e: Error) => e)
    expect(relative).toMatchObject({
      code: 'jsonld_invalid',
      message: expect.stringMatching(/^id: "credential-1" is a relative IRI/),
    })
    const language = await canonizeRdfc(
      {
        '@context': [V2],
        type: ['VerifiableCredential'],
        name: { '@value': 'x', '@language': 'not a tag!' },
        credentialSubject: { id: 'did:example:a' },
      },
      loader,
    ).catch((e: Error) => e)
    expect(language).toMatchObject({
      code: 'jsonld_invalid',
      message: expect.stringMatching(/^name\.@language: "not a tag!" is not a BCP47 language tag/),
    })
  })

  it('at verification, the path is in the result', async () => {
    const secured = await signed('eddsa-rdfc-2022')
    const tampered = clone(secured)
    tampered['@context'] = [V2]
    const result = await verify(tampered, { handlers })
    expect(codes(result)).toEqual(['jsonld_invalid'])
    expect(result.errors[0]?.message).toMatch(
      /credentialSubject\.firstName: term not defined by any context/,
    )
  })
})
