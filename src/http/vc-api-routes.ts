import * as z from 'zod'
import { ed25519NameOf } from './eecc-compat.js'
import { keyIdDid } from '../did/did-url.js'
import { CredsignError } from '../errors/credsign-error.js'
import { combineResolvers } from '../resolve/combine.js'
import { createResolver } from '../resolve/create-resolver.js'
import type { KeyResolver } from '../resolve/types.js'
import { vaultResolver } from '../resolve/vault-resolver.js'
import { envelopeCredential } from '../credential/enveloped.js'
import { SIGNING_FORMATS } from '../service/formats.js'
import { resolvableSigner, signVerifiable } from '../service/sign-verifiable.js'
import { verify } from '../service/verify.js'
import type { FormatHandler, VerificationResult, VerifyOptions } from '../verify/types.js'
import { readJsonBody } from './body.js'
import { clientChecks } from './client-checks.js'
import { json, type Route, type RouteContext } from './route-context.js'
import type { HandlerOptions, IssuerProfile } from './options.js'
import { clientMessage, HttpError, problemResponse, type ProblemDetail } from './problem.js'
import type { Reply } from './reply.js'
import { jsonObject } from './schemas.js'
import { parseRequest } from './validate.js'
import { lazyModule } from '../util/lazy-module.js'
import { verificationOutage } from './verify-outage.js'
import {
  kindProblem,
  readVerifyInput,
  refusal,
  verifyInputOf,
  type InputShape,
  type VerifyRouteKind,
} from './verify-input.js'

/*
 * The VC-API subset the W3C test suites drive (docs/http.md, "VC-API"): issue with a configured
 * issuer profile, verify credentials and presentations. Status codes as the suites expect: 201 on
 * issue, 200 on a verified document, 422 (problem+json, with the verification result) otherwise;
 * except that a verification that failed because the verifier's own key store did is an outage,
 * 503 `store_unavailable` / 500 `store_corrupt` (verify-outage.ts), never a verdict.
 */

/** `POST /credentials/issue` (VC-API). */
const issueRequestSchema = z
  .strictObject({
    credential: jsonObject,
    options: z
      .strictObject({
        format: z.enum(SIGNING_FORMATS).optional(),
        cryptosuite: z.string().max(100).optional(),
        profile: z.string().max(100).optional(),
        credentialId: z.string().max(2000).optional(),
      })
      .optional(),
  })
  .meta({ id: 'IssueCredentialRequest' })

const verifyOptionsSchema = z
  .strictObject({
    checks: z.array(z.string().max(100)).max(20).optional(),
    challenge: z.string().max(10_000).optional(),
    domain: z.string().max(10_000).optional(),
    // The verification relationships only: each purpose keeps one cached verifier (and its context cache).
    expectedProofPurpose: z
      .enum([
        'assertionMethod',
        'authentication',
        'capabilityInvocation',
        'capabilityDelegation',
        'keyAgreement',
      ])
      .optional(),
  })
  .optional()

/** `POST /credentials/verify` (VC-API). */
const verifyCredentialRequestSchema = z
  .strictObject({
    verifiableCredential: z.union([jsonObject, z.string().min(1).max(1_000_000)]),
    options: verifyOptionsSchema,
  })
  .meta({ id: 'VerifyCredentialRequest' })

/** `POST /presentations/verify` (VC-API). */
const verifyPresentationRequestSchema = z
  .strictObject({
    verifiablePresentation: z.union([jsonObject, z.string().min(1).max(1_000_000)]),
    options: verifyOptionsSchema,
  })
  .meta({ id: 'VerifyPresentationRequest' })

/** `POST /credentials/issue` and `POST /issuers/:name/credentials/issue`. */
export function issueRoute(path: '/credentials/issue' | '/issuers/:name/credentials/issue'): Route {
  return {
    method: 'POST',
    path,
    summary:
      path === '/credentials/issue'
        ? 'VC-API: issue with a configured issuer profile. 201 { verifiableCredential }.'
        : 'VC-API: issue with the named issuer profile. 201 { verifiableCredential }.',
    successStatus: 201,
    requestSchema: issueRequestSchema,
    async run(context) {
      const profiles = context.options.issuers ?? []
      if (profiles.length === 0)
        throw new HttpError('route_not_found', 'this server has no VC-API issuer configured')
      const body = parseRequest(
        issueRequestSchema,
        await readJsonBody(context.request, context.limits),
      )
      const credential: Record<string, unknown> = { ...body.credential }
      if (body.options?.credentialId !== undefined) credential.id = body.options.credentialId
      const profile = chooseProfile(profiles, credential, {
        ...body.options,
        ...(context.params.name === undefined ? {} : { profile: context.params.name }),
      })
      return json({ verifiableCredential: await issueWith(profile, credential, context) }, 201)
    },
  }
}

function chooseProfile(
  profiles: readonly IssuerProfile[],
  credential: Record<string, unknown>,
  wanted: { format?: string; cryptosuite?: string; profile?: string },
): IssuerProfile {
  if (wanted.profile !== undefined) {
    const named = profiles.find((p) => p.name === wanted.profile)
    if (named === undefined)
      throw new HttpError('route_not_found', 'no issuer profile has this name')
    return named
  }
  const issuer = credential.issuer
  const issuerId =
    typeof issuer === 'string'
      ? issuer
      : issuer !== null && typeof issuer === 'object'
        ? (issuer as { id?: unknown }).id
        : undefined
  const candidates = profiles.filter(
    (p) =>
      (wanted.format === undefined || p.format === wanted.format) &&
      (wanted.cryptosuite === undefined ||
        p.cryptosuite === wanted.cryptosuite ||
        (p.cryptosuite === undefined && p.format === 'data-integrity')) &&
      (typeof issuerId !== 'string' ||
        keyIdDid(p.keyId) === undefined ||
        keyIdDid(p.keyId) === issuerId),
  )
  const chosen = candidates[0]
  if (chosen === undefined)
    throw new HttpError(
      'invalid_request',
      'no configured issuer profile matches the credential issuer and options',
    )
  return chosen
}

async function issueWith(
  profile: IssuerProfile,
  issued: Record<string, unknown>,
  context: RouteContext,
): Promise<unknown> {
  let credential = issued
  const { options, now } = context
  const v2 = firstContext(credential) === 'https://www.w3.org/ns/credentials/v2'
  const key = await options.vault.unlock(profile.keyId, profile.secrets)
  try {
    if (profile.statusList !== undefined)
      credential = await withStatusEntry(profile.statusList, credential, context)
    if (profile.format === 'sd-jwt' && !v2)
      throw new CredsignError(
        'credential_invalid',
        'SD-JWT secures VCDM 2.0 credentials only (VC-JOSE-COSE)',
      )
    const signed = await signVerifiable(resolvableSigner(key, profile.didMethod), {
      kind: 'vc',
      format: profile.format,
      verifiable: credential,
      ...(profile.format === 'data-integrity' && profile.cryptosuite !== undefined
        ? { cryptosuite: profile.cryptosuite }
        : {}),
      ...(profile.format === 'sd-jwt' && profile.disclosureFrame !== undefined
        ? { disclosureFrame: profile.disclosureFrame }
        : {}),
      ed25519Name: ed25519NameOf(options),
      now,
      ...(options.dataIntegrity?.allowInlineContexts === true ? { allowInlineContexts: true } : {}),
    })
    if (signed.mediaType === 'application/json') return signed.secured
    // VCDM 2.0: an EnvelopedVerifiableCredential, as the VC-API and the VCDM 2.0 suite expect;
    // a VCDM 1.1 JWT has no envelope form and is returned as the compact JWT.
    if (signed.mediaType === 'application/jwt')
      return v2 ? envelopeCredential(signed.secured) : signed.secured
    return envelopeCredential(signed.secured, 'application/vc+sd-jwt')
  } finally {
    key.lock()
  }
}

/**
 * The profile's status list entry added to the credential: a freshly allocated index of its
 * Bitstring Status List (VC-API issues W3C credentials, which carry `credentialStatus`).
 */
async function withStatusEntry(
  listId: string,
  credential: Record<string, unknown>,
  context: RouteContext,
): Promise<Record<string, unknown>> {
  const lists = context.options.statusLists
  if (lists === undefined)
    throw new CredsignError(
      'invalid_argument',
      'the issuer profile names a status list but the server has none',
    )
  if (credential.credentialStatus !== undefined)
    throw new HttpError(
      'invalid_request',
      'this issuer profile attaches the credentialStatus itself: send the credential without one',
    )
  const allocation = await lists.allocate(listId)
  if (allocation.kind !== 'bitstring')
    throw new CredsignError(
      'invalid_argument',
      `status list ${listId} is a Token Status List: VC-API issues W3C credentials, which take a Bitstring Status List`,
    )
  return { ...credential, credentialStatus: allocation.credentialStatus }
}

function firstContext(document: Record<string, unknown>): unknown {
  const context = document['@context']
  return Array.isArray(context) ? context[0] : context
}

/** `POST /credentials/verify` and `POST /presentations/verify`. */
export function verifyRoute(kind: VerifyRouteKind): Route {
  return {
    method: 'POST',
    path: kind === 'credential' ? '/credentials/verify' : '/presentations/verify',
    summary: `VC-API: verify a ${kind}. 200, or 422 with the reasons (503 / 500 when the verifier's own key store fails).`,
    successStatus: 200,
    requestSchema:
      kind === 'credential' ? verifyCredentialRequestSchema : verifyPresentationRequestSchema,
    async run(context) {
      const raw = await readJsonBody(context.request, context.limits)
      const body =
        kind === 'credential'
          ? (() => {
              const b = parseRequest(verifyCredentialRequestSchema, raw)
              return { document: b.verifiableCredential, options: b.options }
            })()
          : (() => {
              const b = parseRequest(verifyPresentationRequestSchema, raw)
              return { document: b.verifiablePresentation, options: b.options }
            })()
      let shape: InputShape
      try {
        shape = readVerifyInput(kind, body.document)
      } catch (error) {
        // Refused before anything is verified: the same problem shape as a failed verification.
        if (
          error instanceof HttpError &&
          (error.code === 'not_a_credential' || error.code === 'not_a_presentation')
        ) {
          return verificationProblem([{ code: error.code, message: error.message }], [])
        }
        throw error
      }
      // The handler's default purpose applies per document: authentication for a presentation,
      // assertionMethod for a credential, including the credentials inside a presentation. An
      // expected purpose is the request document's only (see purposeOfDocument).
      const purpose = body.options?.expectedProofPurpose
      const allowInlineContexts = context.options.dataIntegrity?.allowInlineContexts === true
      const byDefault = await dataIntegrity(undefined, allowInlineContexts)
      const input = verifyInputOf(shape)
      const verifyOptions: VerifyOptions = {
        ...context.options.verify,
        resolver: verifierResolver(context.options),
        handlers: [
          purpose === undefined
            ? byDefault
            : purposeOfDocument(
                input,
                await dataIntegrity(purpose, allowInlineContexts),
                byDefault,
              ),
        ],
        ...(body.options?.challenge === undefined ? {} : { nonce: body.options.challenge }),
        ...(body.options?.domain === undefined ? {} : { audience: body.options.domain }),
        now: context.now,
      }
      const result = await verify(input, verifyOptions)
      // The verifier's own store failed: a 5xx problem (an outage), not a 422 verdict.
      const outage = verificationOutage(result)
      if (outage !== undefined) throw outage
      if (!result.verified) {
        const errors: ProblemDetail[] =
          result.errors.length > 0
            ? result.errors.map((e) => ({
                code: e.code,
                message: clientMessage(e.code, e.message),
                ...(e.path === undefined ? {} : { path: e.path }),
              }))
            : [{ code: refusal(kind, '').code, message: `not a verifiable ${kind}` }]
        return verificationProblem(errors, checksForClient(result))
      }
      const problem = kindProblem(kind, shape, result)
      if (problem !== undefined)
        return verificationProblem(
          [{ code: refusal(kind, '').code, message: problem }],
          checksForClient(result),
        )
      const validityUnchecked = context.options.verify?.checkValidity === false
      const skipped = requestedButNotChecked(body.options?.checks ?? [], result, validityUnchecked)
      if (skipped !== undefined) return verificationProblem([skipped], checksForClient(result))
      return json(summary(result, kind, body.options ?? {}, validityUnchecked), 200)
    },
  }
}

/**
 * 422 with every failure in `errors` and the verifier's checks: what the VC-API suites expect of a
 * failed verification.
 */
function verificationProblem(errors: ProblemDetail[], checks: VerificationResult['checks']): Reply {
  const first = errors[0]!
  return problemResponse({
    type: `urn:credsign:error:${first.code}`,
    title: first.code,
    status: 422,
    detail: first.message,
    code: first.code,
    errors,
    verified: false,
    checks,
  })
}

/**
 * The checks without a server's message in a failed one (client-checks.ts: a resolver's network
 * error or a store's file path); the VC-API answer keeps its shape (no code per check).
 */
function checksForClient(result: VerificationResult): VerificationResult['checks'] {
  return clientChecks(result).checks.map(({ name, passed, detail }) =>
    detail === undefined ? { name, passed } : { name, passed, detail },
  )
}

/**
 * The 200 answer. `checks` names the checks that passed: a check that did not pass without failing
 * the verification (a status not checked, as without `verify.statusLists`; a related resource that
 * could not be loaded), the document's own or one of a presentation's credentials', is a warning,
 * never a check performed; so is the validity period when the server does not check it. A
 * presentation's answer names the challenge and domain it was checked against, and warns of each
 * the request left out (nothing then ties the presentation to this exchange, or to this verifier).
 */
function summary(
  result: VerificationResult,
  kind: VerifyRouteKind,
  requested: { challenge?: string; domain?: string },
  validityUnchecked: boolean,
): Record<string, unknown> {
  const warnings = notPassed(result)
  // `verify.checkValidity: false` records the validity check as passed, "not checked": no date was
  // compared, so it is no check performed (for any credential of a presentation either).
  if (validityUnchecked)
    warnings.push({
      name: 'validity',
      detail: 'not checked: this server verifies with checkValidity: false',
    })
  if (kind === 'presentation') {
    if (requested.challenge === undefined)
      warnings.push({ name: 'nonce', detail: 'not checked: the request has no options.challenge' })
    if (requested.domain === undefined)
      warnings.push({ name: 'audience', detail: 'not checked: the request has no options.domain' })
  }
  return {
    verified: true,
    format: result.format,
    checks: result.checks
      .filter((c) => c.passed && !(validityUnchecked && c.name === 'validity'))
      .map((c) => c.name),
    ...(kind === 'presentation' && requested.challenge !== undefined
      ? { challenge: requested.challenge }
      : {}),
    ...(kind === 'presentation' && requested.domain !== undefined
      ? { domain: requested.domain }
      : {}),
    warnings,
    errors: [],
  }
}

/** The VC-API check names that ask for the status of a credential (and of a presentation's). */
const STATUS_CHECK_NAMES = new Set(['status', 'credentialStatus'])
/** The VC-API check names that ask for the validity period (`validFrom` / `validUntil`, `exp`). */
const VALIDITY_CHECK_NAMES = new Set(['expiration', 'validity'])

/**
 * Why a verified result lacks a check the request's `options.checks` asked for, or `undefined`. The
 * VC-API's `checks` are the checks to perform: every check runs whatever the list says, but a
 * status or validity period asked for and not checked (no `verify.statusLists`, a mechanism
 * credsign does not check, `verify.checkValidity: false`) must not be answered "verified", as if it
 * had been.
 */
function requestedButNotChecked(
  requested: readonly string[],
  result: VerificationResult,
  validityUnchecked: boolean,
): ProblemDetail | undefined {
  if (validityUnchecked && requested.some((name) => VALIDITY_CHECK_NAMES.has(name)))
    return {
      code: 'expectation_unchecked',
      message:
        'options.checks asks for the validity period, and this server verifies with checkValidity: false',
    }
  if (!requested.some((name) => STATUS_CHECK_NAMES.has(name))) return undefined
  const unchecked = notPassed(result).find((warning) => warning.name === 'status_unchecked')
  if (unchecked === undefined) return undefined
  return {
    code: 'status_unchecked',
    message: `options.checks asks for the status, and the status of ${unchecked.path ?? 'the credential'} was not checked (this server has no status list source, or does not check its mechanism)`,
  }
}

/** A warning of a 200 answer: a check that did not pass, and whose credential it was. */
interface Warning {
  name: string
  path?: string
  detail?: string
}

/** The checks of a verified result that did not pass, a presentation's credentials' included. */
function notPassed(result: VerificationResult, path?: string): Warning[] {
  const own = clientChecks(result)
    .checks.filter((c) => !c.passed)
    .map(({ name, detail }) => ({
      name,
      ...(path === undefined ? {} : { path }),
      ...(detail === undefined ? {} : { detail }),
    }))
  const embedded = (result.credentials ?? []).flatMap((credential, index) =>
    notPassed(credential, `${path === undefined ? '' : `${path}.`}verifiableCredential[${index}]`),
  )
  return [...own, ...embedded]
}

// A chunk that cannot be loaded is `crypto_unavailable` (a 500 problem), retried by the next request.
const loadDataIntegrity = /* @__PURE__ */ lazyModule(
  () => import('../formats/data-integrity/handler.js'),
  'Data Integrity',
)
const purposeHandlers = new Map<string, FormatHandler>()

/**
 * The Data Integrity handler the verify routes use (the verifier page's too), one per expected
 * proof purpose and inline-context setting, loaded on first use. @internal
 */
export async function dataIntegrity(
  purpose: string | undefined,
  allowInlineContexts: boolean,
): Promise<FormatHandler> {
  const cacheKey = `${purpose ?? ''}|${allowInlineContexts}`
  const cached = purposeHandlers.get(cacheKey)
  if (cached !== undefined) return cached
  const handler = (await loadDataIntegrity()).dataIntegrityHandler({
    ...(purpose === undefined ? {} : { proofPurpose: purpose }),
    ...(allowInlineContexts ? { allowInlineContexts } : {}),
  })
  purposeHandlers.set(cacheKey, handler) // at most twelve: the relationships the schema allows (and none), inline contexts on or off
  return handler
}

/**
 * The Data Integrity handler of one verify request with `options.expectedProofPurpose`: the purpose
 * is expected of the request's document only. Every other document verified along the way (the
 * credentials of a presentation, a status list credential) keeps its default purpose
 * (assertionMethod for a credential), as `verify()` with the server's options has it: a caller
 * expecting `authentication` of a presentation did not ask to accept credentials whose proofs are
 * for authentication, which their issuers' keys never asserted (VC-API issue 111: the options of a
 * presentation are not its credentials'). `verify()` hands an object to its handler as given, so
 * the request's document is recognised by identity; a string input never is (its Data Integrity
 * documents are embedded ones).
 */
function purposeOfDocument(
  document: unknown,
  withPurpose: FormatHandler,
  byDefault: FormatHandler,
): FormatHandler {
  return {
    name: byDefault.name,
    detect: (input) => byDefault.detect(input),
    verify: (input, options, context) =>
      (input === document && typeof document === 'object' ? withPurpose : byDefault).verify(
        input,
        options,
        context,
      ),
  }
}

const resolvers = new WeakMap<HandlerOptions, KeyResolver>()

/**
 * The caller's resolver (if any), then this vault's keys, then did:key / did:jwk: never the
 * network. The verify routes and the verifier page share it. @internal
 */
export function verifierResolver(options: HandlerOptions): KeyResolver {
  let resolver = resolvers.get(options)
  if (resolver === undefined) {
    const chain: KeyResolver[] = []
    if (options.resolver !== undefined) chain.push(options.resolver)
    if (options.verify?.resolver !== undefined) chain.push(options.verify.resolver)
    chain.push(vaultResolver(options.vault, { thumbprints: false }), createResolver())
    resolver = combineResolvers(...chain)
    resolvers.set(options, resolver)
  }
  return resolver
}
