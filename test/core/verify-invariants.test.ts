// Invariants of verify() over every format credsign produces (issue 12, "Invariant tests"); runs in
// Node (both backends) and Chromium.
//
// 1. verified ⇒ every expectation the caller passed was checked: for each expectation option of
//    VerifyOptions (`audience`, `nonce`, `requireKeyBinding: true`, and the Data Integrity handler's
//    `proofPurpose`) × every format, a verified result has a passed check of that name; otherwise
//    verification fails with a documented code (credsign's `expectation_unchecked` contract). A value
//    that does not match the token is never verified.
// 2. The same JWS in compact, flattened and general JSON serialization gets the same verdict and the
//    same error codes; the same SD-JWT in compact `~` form and in its JSON serializations likewise.
// 3. Nothing throws: verify() resolves for arbitrary values, JSON, strings and JWS-/SD-JWT-shaped
//    strings, with a documented code for every error (fast-check, seeded: FC_SEED, FC_RUNS).
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  JwtVcSigner,
  JwtVpSigner,
  SdJwtVcSigner,
  envelopeCredential,
  presentSdJwt,
  signCompact,
  signJwt,
  verify,
  type FormatHandler,
  type Signer,
  type VerificationResult,
  type VerifyOptions,
} from '../../src/index.js'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import { DOCUMENTED_CODES } from './documented-codes.js'
import {
  credentialV1,
  credentialV2,
  didOf,
  didSigner,
  presentationV1,
  presentationV2,
} from './vc-helpers.js'

const SEED = Number(
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.FC_SEED ?? 20_261_207,
)
const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.FC_RUNS ?? 300,
)

const AUDIENCE = 'https://verifier.example'
/** Every JSON-LD context the samples use. */
const CONTEXTS = [
  'https://www.w3.org/ns/credentials/v2',
  'https://www.w3.org/ns/credentials/examples/v2',
  'https://www.w3.org/2018/credentials/v1',
  'https://www.w3.org/2018/credentials/examples/v1',
]
const NONCE = 'n-0S6_WzA2Mj'
const VCT = 'https://credentials.example.com/identity_credential'

/**
 * Every option of VerifyOptions, and what it is to this test: an `expectation` (the caller expects
 * something of the token: verified ⇒ a passed check of that name), a `default-check` (on unless
 * turned off: a verified credential / presentation has passed it; turned off, the check is still
 * listed, as passed "not checked"), or `policy` (how to check: keys, clock, limits). A Record over
 * keyof VerifyOptions: an option added to VerifyOptions fails to compile here until it is
 * classified.
 */
const OPTION_ROLES: Record<
  keyof VerifyOptions,
  { role: 'expectation' | 'default-check'; check: string } | { role: 'policy' }
> = {
  audience: { role: 'expectation', check: 'audience' },
  nonce: { role: 'expectation', check: 'nonce' },
  requireKeyBinding: { role: 'expectation', check: 'key_binding' },
  algorithms: { role: 'expectation', check: 'algorithm' },
  // An expectation of documents (credentials, presentations): a JWT or JWS has no @context to allow.
  allowedContexts: { role: 'expectation', check: 'context' },
  issuerBinding: { role: 'default-check', check: 'issuer_binding' },
  checkValidity: { role: 'default-check', check: 'validity' },
  verifyEmbedded: { role: 'default-check', check: 'credentials' },
  resolver: { role: 'policy' },
  now: { role: 'policy' },
  clockToleranceSeconds: { role: 'policy' },
  keyBindingMaxAgeSeconds: { role: 'policy' },
  handlers: { role: 'policy' },
  relatedResources: { role: 'policy' },
  trustAnchors: { role: 'policy' },
  // An expectation of SD-JWT VCs: every other format fails it (haip_format, expectation_unchecked).
  profile: { role: 'expectation', check: 'profile' },
  // Where status lists come from. An expectation only for a credential that carries a status (the
  // engine then requires a passed `status` check: test/core/status-verify.test.ts); none of these
  // samples does.
  statusLists: { role: 'policy' },
}

/** A token credsign produced, and what it can satisfy. */
interface Sample {
  name: string
  input: unknown
  /** The format verify() must report. */
  format: VerificationResult['format']
  /** Whether the token carries the AUDIENCE / NONCE / a key binding / an assertion proof. */
  carries: { audience: boolean; nonce: boolean; keyBinding: boolean }
  /** Data Integrity: the proof purpose of its proof. */
  proofPurpose?: string
}

const samples: Sample[] = []
/**
 * Whether a sample is a credential or presentation (has an @context), not a plain JWT, JWS or
 * SD-JWT VC.
 */
const isDocument = (sample: Sample): boolean =>
  !['jwt', 'jws'].includes(sample.format) && !sample.name.startsWith('dc+sd-jwt')
const diHandler = (proofPurpose?: string): FormatHandler =>
  dataIntegrityHandler(proofPurpose === undefined ? {} : { proofPurpose })
let issuer: Signer
let holder: Signer

beforeAll(async () => {
  issuer = await didSigner('Ed25519')
  holder = await didSigner('P-256')
  const vcJwt = await new JwtVcSigner(issuer).sign(
    credentialV2({ credentialSubject: { id: didOf(holder) } }),
  )
  const vc11 = await new JwtVcSigner(issuer).sign(
    credentialV1({ credentialSubject: { id: didOf(holder) } }),
  )
  const none = { audience: false, nonce: false, keyBinding: false }
  const both = { audience: true, nonce: true, keyBinding: false }
  samples.push({ name: 'vc+jwt', input: vcJwt, format: 'vc+jwt', carries: none })
  samples.push({
    name: 'vp+jwt',
    input: await new JwtVpSigner(holder).sign(
      presentationV2({ verifiableCredential: [envelopeCredential(vcJwt)] }),
      { audience: AUDIENCE, nonce: NONCE, expiresIn: 300 },
    ),
    format: 'vp+jwt',
    carries: both,
  })
  samples.push({ name: 'vc-jwt (VCDM 1.1)', input: vc11, format: 'vc-jwt', carries: none })
  samples.push({
    name: 'vp-jwt (VCDM 1.1)',
    input: await new JwtVpSigner(holder).sign(presentationV1({ verifiableCredential: [vc11] }), {
      audience: AUDIENCE,
      nonce: NONCE,
      expiresIn: 300,
    }),
    format: 'vp-jwt',
    carries: both,
  })
  samples.push({
    name: 'jwt',
    input: await signJwt(
      holder,
      { iss: didOf(holder), sub: 'alice', aud: AUDIENCE, nonce: NONCE },
      { expiresIn: 300 },
    ),
    format: 'jwt',
    carries: both,
  })
  samples.push({
    name: 'jwt without aud or nonce',
    input: await signJwt(holder, { iss: didOf(holder), sub: 'alice' }, { expiresIn: 300 }),
    format: 'jwt',
    carries: none,
  })
  samples.push({
    name: 'jws (text payload)',
    input: await signCompact(issuer, 'not a JSON payload'),
    format: 'jws',
    carries: none,
  })

  const sd = new SdJwtVcSigner(issuer)
  const bound = await sd.issue(
    { vct: VCT, given_name: 'Erika' },
    { disclosureFrame: { _sd: ['given_name'] }, holder: holder.publicJwk },
  )
  samples.push({
    name: 'dc+sd-jwt + KB-JWT',
    input: await presentSdJwt(bound, { disclose: 'all', holder, audience: AUDIENCE, nonce: NONCE }),
    format: 'sd-jwt',
    carries: { audience: true, nonce: true, keyBinding: true },
  })
  const unbound = await sd.issue(
    { vct: VCT, given_name: 'Erika' },
    { disclosureFrame: { _sd: ['given_name'] } },
  )
  samples.push({
    name: 'dc+sd-jwt without cnf',
    input: await presentSdJwt(unbound, { disclose: 'all' }),
    format: 'sd-jwt',
    carries: none,
  })
  const w3c = await sd.signCredential(
    credentialV2({ credentialSubject: { id: didOf(holder), name: 'Erika' } }),
    { disclosureFrame: { credentialSubject: { _sd: ['name'] } }, holder: holder.publicJwk },
  )
  samples.push({
    name: 'vc+sd-jwt (W3C) + KB-JWT',
    input: await presentSdJwt(w3c, { disclose: 'all', holder, audience: AUDIENCE, nonce: NONCE }),
    format: 'sd-jwt',
    carries: { audience: true, nonce: true, keyBinding: true },
  })

  const diCredential = await new DataIntegritySigner(issuer).sign(
    credentialV2({ issuer: didOf(issuer) }),
    { cryptosuite: 'eddsa-jcs-2022' },
  )
  samples.push({
    name: 'data-integrity credential',
    input: diCredential,
    format: 'data-integrity',
    carries: none,
    proofPurpose: 'assertionMethod',
  })
  const diPresentation = await new DataIntegritySigner(holder).sign(
    presentationV2({ holder: didOf(holder) }),
    { cryptosuite: 'ecdsa-jcs-2019', challenge: NONCE, domain: AUDIENCE },
  )
  samples.push({
    name: 'data-integrity presentation',
    input: diPresentation,
    format: 'data-integrity',
    carries: both,
    proofPurpose: 'authentication',
  })
}, 60_000)

function run(
  sample: Sample,
  options: VerifyOptions,
  proofPurpose?: string,
): Promise<VerificationResult> {
  return verify(sample.input, { ...options, handlers: [diHandler(proofPurpose)] })
}

function summary(result: VerificationResult): string {
  return JSON.stringify({
    verified: result.verified,
    format: result.format,
    checks: result.checks.map((c) => `${c.name}:${c.passed ? 'ok' : 'FAIL'}`),
    errors: result.errors.map((e) => `${e.code}: ${e.message}`),
  })
}

function expectDocumentedCodes(result: VerificationResult): void {
  expect(result.verified).toBe(result.errors.length === 0)
  for (const error of result.errors)
    expect(DOCUMENTED_CODES, `undocumented code ${error.code}`).toContain(error.code)
}

describe('verify(): the samples verify as produced', () => {
  it('every sample verifies with no expectation but the audience it is addressed to, in its format', async () => {
    expect(samples.length).toBe(12)
    for (const sample of samples) {
      const result = await run(sample, sample.carries.audience ? { audience: AUDIENCE } : {})
      expect(result.errors, `${sample.name}: ${summary(result)}`).toEqual([])
      expect(result.format, sample.name).toBe(sample.format)
    }
  })

  it('a JOSE sample addressed to an audience (aud, a KB-JWT) is refused by a verifier that names none (RFC 7519 section 4.1.3, RFC 9901 section 7.3)', async () => {
    // (A Data Integrity proof's domain is checked when the verifier names one: VC Data Integrity.)
    const addressed = samples.filter((s) => s.carries.audience && s.format !== 'data-integrity')
    expect(addressed.map((s) => s.name)).toEqual([
      'vp+jwt',
      'vp-jwt (VCDM 1.1)',
      'jwt',
      'dc+sd-jwt + KB-JWT',
      'vc+sd-jwt (W3C) + KB-JWT',
    ])
    for (const sample of addressed) {
      const result = await run(sample, {})
      expect(result.verified, sample.name).toBe(false)
      expect(
        result.errors.map((e) => e.code),
        `${sample.name}: ${summary(result)}`,
      ).toEqual(['audience_mismatch'])
    }
  })
})

/** One expectation and the value it takes, or a matching / mismatching one. */
interface Expectation {
  option:
    | 'audience'
    | 'nonce'
    | 'requireKeyBinding'
    | 'algorithms'
    | 'allowedContexts'
    | 'proofPurpose'
    | 'profile'
  value: string | boolean | string[]
  /** Only an expectation for these samples (default: every sample). */
  appliesTo?(sample: Sample): boolean
  /** Whether the sample can meet it. */
  satisfiable(sample: Sample): boolean
}

const EXPECTATIONS: Expectation[] = [
  { option: 'audience', value: AUDIENCE, satisfiable: (s) => s.carries.audience },
  { option: 'audience', value: 'https://other.example', satisfiable: () => false },
  { option: 'nonce', value: NONCE, satisfiable: (s) => s.carries.nonce },
  { option: 'nonce', value: 'another-nonce', satisfiable: () => false },
  { option: 'requireKeyBinding', value: true, satisfiable: (s) => s.carries.keyBinding },
  // Every sample is signed with Ed25519 (issuer) or P-256 (holder), its KB-JWT too.
  { option: 'algorithms', value: ['EdDSA', 'ES256'], satisfiable: () => true },
  { option: 'algorithms', value: ['ES384'], satisfiable: () => false },
  { option: 'allowedContexts', value: CONTEXTS, satisfiable: () => true, appliesTo: isDocument },
  {
    option: 'allowedContexts',
    value: ['https://example.org/contexts/only-this-one'],
    satisfiable: (s) => !isDocument(s),
    appliesTo: isDocument,
  },
  // No sample is HAIP-conforming (Ed25519 issuers, no x5c).
  { option: 'profile', value: 'haip', satisfiable: () => false },
]
/** The Data Integrity handler's option: it speaks only to what that handler verifies. */
const PURPOSES: Expectation[] = [
  {
    option: 'proofPurpose',
    value: 'assertionMethod',
    satisfiable: (s) => s.proofPurpose === 'assertionMethod',
  },
  {
    option: 'proofPurpose',
    value: 'authentication',
    satisfiable: (s) => s.proofPurpose === 'authentication',
  },
]

/** The check a verified result must have passed for an expectation. */
function checkNameOf(option: Expectation['option']): string {
  if (option === 'proofPurpose') return 'proof_purpose'
  const role = OPTION_ROLES[option]
  return role.role === 'policy' ? option : role.check
}

/** Every expectation alone and every pair of different options. */
function combinationsOf(expectations: Expectation[]): Expectation[][] {
  const combinations: Expectation[][] = [[]]
  for (const [i, a] of expectations.entries()) {
    combinations.push([a])
    for (const b of expectations.slice(i + 1)) if (b.option !== a.option) combinations.push([a, b])
  }
  return combinations
}

/** Runs every combination on the samples; returns the violations of "verified ⇒ checked and met". */
async function expectationViolations(
  sampleSet: Sample[],
  combinations: Expectation[][],
): Promise<{ cases: number; violations: string[] }> {
  const violations: string[] = []
  let cases = 0
  for (const sample of sampleSet) {
    for (const combination of combinations) {
      const options: VerifyOptions = {}
      let proofPurpose: string | undefined
      for (const e of combination) {
        if (e.option === 'proofPurpose') proofPurpose = e.value as string
        else (options as Record<string, unknown>)[e.option] = e.value
      }
      const result = await run(sample, options, proofPurpose)
      cases += 1
      expectDocumentedCodes(result)
      const label = `${sample.name} with ${JSON.stringify(combination.map((e) => ({ [e.option]: e.value })))}`
      if (!result.verified) continue
      for (const e of combination) {
        const name = checkNameOf(e.option)
        if (e.appliesTo !== undefined && !e.appliesTo(sample)) continue
        if (!result.checks.some((c) => c.name === name && c.passed))
          violations.push(`${label}: verified without a passed "${name}" check: ${summary(result)}`)
        if (!e.satisfiable(sample))
          violations.push(
            `${label}: verified although the token cannot meet ${e.option}=${JSON.stringify(e.value)}: ${summary(result)}`,
          )
      }
      // Checks on by default: a verified credential was bound to its issuer and is in its validity
      // period; a verified presentation was bound to its holder and its credentials verified.
      const defaults =
        result.presentation !== undefined
          ? ['issuer_binding', 'credentials']
          : result.credential !== undefined
            ? ['issuer_binding', 'validity']
            : []
      for (const name of defaults) {
        if (!result.checks.some((c) => c.name === name && c.passed))
          violations.push(`${label}: verified without a passed "${name}" check: ${summary(result)}`)
      }
    }
  }
  return { cases, violations }
}

describe('verify(): verified ⇒ every expectation the caller passed has a passed check', () => {
  it('OPTION_ROLES classifies every VerifyOptions member; its expectations are the ones tested below', () => {
    const expectations = Object.entries(OPTION_ROLES)
      .filter(([, role]) => role.role === 'expectation')
      .map(([name]) => name)
    expect(expectations.sort()).toEqual([
      'algorithms',
      'allowedContexts',
      'audience',
      'nonce',
      'profile',
      'requireKeyBinding',
    ])
    expect(new Set(EXPECTATIONS.map((e) => e.option))).toEqual(new Set(expectations))
  })

  it('every format × every expectation and every pair of expectations', async () => {
    const combinations = combinationsOf(EXPECTATIONS)
    const { cases, violations } = await expectationViolations(samples, combinations)
    expect(cases).toBe(samples.length * combinations.length)
    expect(violations, `${violations.length} violation(s):\n${violations.join('\n')}`).toEqual([])
  })

  // dataIntegrityHandler({ proofPurpose }) checks every proof's purpose (proof_purpose_mismatch) but
  // records no passed `proof_purpose` check when they match.
  it("Data Integrity: the handler's proofPurpose, alone and with each expectation, has a passed proof_purpose check", async () => {
    const combinations = combinationsOf([...PURPOSES, ...EXPECTATIONS]).filter((c) =>
      c.some((e) => e.option === 'proofPurpose'),
    )
    const dataIntegrity = samples.filter((s) => s.format === 'data-integrity')
    const { cases, violations } = await expectationViolations(dataIntegrity, combinations)
    expect(cases).toBe(dataIntegrity.length * combinations.length)
    expect(violations, `${violations.length} violation(s):\n${violations.join('\n')}`).toEqual([])
  })

  it('an expectation the token meets is met: matching audience and nonce verify where the token carries them', async () => {
    for (const sample of samples.filter((s) => s.carries.audience && s.carries.nonce)) {
      const result = await run(sample, { audience: AUDIENCE, nonce: NONCE })
      expect(result.errors, `${sample.name}: ${summary(result)}`).toEqual([])
      expect(result.checks.filter((c) => c.passed).map((c) => c.name)).toEqual(
        expect.arrayContaining(['audience', 'nonce']),
      )
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Serializations

function jwsForms(compact: string): {
  compact: string
  flattened: unknown
  general: unknown
  flattenedText: string
} {
  const [protectedB64 = '', payload = '', signature = ''] = compact.split('.')
  const flattened = { protected: protectedB64, payload, signature }
  return {
    compact,
    flattened,
    general: { payload, signatures: [{ protected: protectedB64, signature }] },
    flattenedText: JSON.stringify(flattened),
  }
}

/**
 * RFC 9901 section 8: the disclosures and the KB-JWT go in the (first) signature's unprotected
 * header.
 */
function sdJwtForms(compact: string): { compact: string; flattened: unknown; general: unknown } {
  const parts = compact.split('~')
  const [protectedB64 = '', payload = '', signature = ''] = (parts[0] as string).split('.')
  const last = parts[parts.length - 1] as string
  const header: Record<string, unknown> = { disclosures: parts.slice(1, -1) }
  if (last !== '') header.kb_jwt = last
  return {
    compact,
    flattened: { protected: protectedB64, payload, signature, header },
    general: { payload, signatures: [{ protected: protectedB64, signature, header }] },
  }
}

/** Verify options the serialization property draws from: expectations, a clock, algorithms. */
const serializationOptions = fc.record(
  {
    audience: fc.constantFrom(AUDIENCE, 'https://other.example'),
    nonce: fc.constantFrom(NONCE, 'another-nonce'),
    requireKeyBinding: fc.boolean(),
    now: fc.constantFrom(Date.now(), Date.now() + 86_400_000 * 400, Date.UTC(2000, 0, 1)),
    algorithms: fc.constantFrom<VerifyOptions['algorithms']>(
      ['EdDSA'],
      ['ES256'],
      ['EdDSA', 'ES256'],
    ),
    checkValidity: fc.boolean(),
  },
  { requiredKeys: [] },
)

describe('verify(): the same token in every serialization gets the same verdict and codes', () => {
  // A mutation of the signed parts applies to every serialization alike.
  const mutation = fc.oneof(
    fc.constant(undefined),
    fc.record({
      part: fc.constantFrom(0, 1, 2),
      at: fc.nat(),
      to: fc.constantFrom('A', 'B', '_', '-'),
    }),
  )

  it('JWS: compact, flattened JSON (object and text), general JSON', async () => {
    const jose = samples.filter((s) => typeof s.input === 'string' && !s.input.includes('~'))
    expect(jose.length).toBe(7)
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: jose.length - 1 }),
        serializationOptions,
        mutation,
        async (index, options, change) => {
          let token = (jose[index] as Sample).input as string
          if (change !== undefined) {
            const parts = token.split('.')
            const part = parts[change.part] as string
            const at = change.at % Math.max(1, part.length)
            parts[change.part] = part.slice(0, at) + change.to + part.slice(at + 1)
            token = parts.join('.')
          }
          const forms = jwsForms(token)
          const results = await Promise.all(
            [forms.compact, forms.flattened, forms.general, forms.flattenedText].map((input) =>
              verify(input, options),
            ),
          )
          const [compact] = results as [VerificationResult]
          for (const [i, result] of results.entries()) {
            expectDocumentedCodes(result)
            const label = `${(jose[index] as Sample).name} form ${i} ${JSON.stringify(options)}:\ncompact ${summary(compact)}\nthis    ${summary(result)}`
            expect(result.verified, label).toBe(compact.verified)
            expect(
              result.errors.map((e) => e.code),
              label,
            ).toEqual(compact.errors.map((e) => e.code))
            if (compact.verified) expect(result.format, label).toBe(compact.format)
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
  })

  const sdMutation = fc.oneof(
    fc.constant(undefined),
    fc.record({
      part: fc.nat(),
      at: fc.nat(),
      to: fc.constantFrom('A', '_', '-'),
      drop: fc.boolean(),
    }),
  )

  it('SD-JWT: compact ~ form, flattened and general JSON serialization', async () => {
    const sdJwts = samples.filter((s) => s.format === 'sd-jwt')
    expect(sdJwts.length).toBe(3)
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: sdJwts.length - 1 }),
        serializationOptions,
        sdMutation,
        async (index, options, change) => {
          let token = (sdJwts[index] as Sample).input as string
          if (change !== undefined) {
            // Drop, or change one character of, a disclosure or the KB-JWT (never the issuer JWT's dots).
            const parts = token.split('~')
            const at = 1 + (change.part % Math.max(1, parts.length - 1))
            const part = parts[at] ?? ''
            parts[at] = change.drop
              ? ''
              : part.slice(0, change.at % Math.max(1, part.length)) +
                change.to +
                part.slice((change.at % Math.max(1, part.length)) + 1)
            token = (
              change.drop ? parts.filter((p, i) => i === parts.length - 1 || p !== '') : parts
            ).join('~')
          }
          const forms = sdJwtForms(token)
          const results = await Promise.all(
            [forms.compact, forms.flattened, forms.general, JSON.stringify(forms.flattened)].map(
              (input) => verify(input, options),
            ),
          )
          const [compact] = results as [VerificationResult]
          for (const [i, result] of results.entries()) {
            expectDocumentedCodes(result)
            const label = `${(sdJwts[index] as Sample).name} form ${i} ${JSON.stringify(options)}:\ncompact ${summary(compact)}\nthis    ${summary(result)}`
            expect(result.verified, label).toBe(compact.verified)
            expect(
              result.errors.map((e) => e.code),
              label,
            ).toEqual(compact.errors.map((e) => e.code))
          }
        },
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 3), endOnFailure: true },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Nothing throws

const b64uJson = (value: unknown): string => {
  const bytes = new TextEncoder().encode(JSON.stringify(value) ?? 'null')
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
const segment = fc.oneof(
  fc.json().map((j) => b64uJson(JSON.parse(j))),
  fc.base64String().map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
  fc.constant(''),
)
const header = fc
  .record(
    {
      alg: fc.constantFrom('EdDSA', 'ES256', 'none', 'HS256', 7),
      typ: fc.constantFrom('vc+jwt', 'vp+jwt', 'dc+sd-jwt', 'JWT', 'vc+sd-jwt', undefined),
      kid: fc.constantFrom('did:key:z6Mk', 'did:jwk:e30', 'did:web:example.com', undefined),
      crit: fc.constantFrom(['b64'], undefined),
    },
    { requiredKeys: [] },
  )
  .map(b64uJson)
const jwsLike = fc
  .tuple(fc.oneof(header, segment), segment, segment)
  .map((parts) => parts.join('.'))
const sdJwtLike = fc
  .tuple(jwsLike, fc.array(segment, { maxLength: 3 }), fc.oneof(fc.constant(''), jwsLike))
  .map(([jws, disclosures, kb]) => [jws, ...disclosures, kb].join('~'))
const jsonSerializationLike = fc.record(
  {
    payload: fc.oneof(segment, fc.anything()),
    protected: fc.oneof(header, fc.anything()),
    signature: fc.oneof(segment, fc.anything()),
    signatures: fc.anything(),
    header: fc.oneof(
      fc.dictionary(fc.constantFrom('disclosures', 'kb_jwt', 'kid'), fc.anything()),
      fc.anything(),
    ),
  },
  { requiredKeys: ['payload'] },
)
const documentLike = fc.record(
  {
    '@context': fc.oneof(fc.constant(['https://www.w3.org/ns/credentials/v2']), fc.anything()),
    type: fc.anything(),
    proof: fc.anything(),
    verifiableCredential: fc.anything(),
    issuer: fc.anything(),
  },
  { requiredKeys: [] },
)

describe('verify(): nothing throws, every error has a documented code', () => {
  const inputs: [string, fc.Arbitrary<unknown>][] = [
    [
      'fc.anything()',
      fc.anything({
        withBigInt: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
        withDate: true,
        withNullPrototype: true,
        withSparseArray: true,
      }),
    ],
    ['fc.json()', fc.json()],
    ['strings', fc.string({ unit: 'grapheme', maxLength: 200 })],
    ['JWS-like strings', jwsLike],
    ['SD-JWT-like strings', sdJwtLike],
    ['JWS JSON serialization-like objects', jsonSerializationLike],
    ['credential-like objects (with proof)', documentLike],
  ]
  for (const [name, arbitrary] of inputs) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(
          arbitrary,
          fc.constantFrom<VerifyOptions>(
            {},
            { audience: AUDIENCE, nonce: NONCE },
            { requireKeyBinding: true },
          ),
          async (input, options) => {
            const result = await verify(input, { ...options, handlers: [dataIntegrityHandler()] })
            expectDocumentedCodes(result)
            expect(result.verified).toBe(false)
            expect(result.errors.length).toBeGreaterThan(0)
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      )
    })
  }
})
