import { generateKeyPair } from '../keys/generate.js'
import { multikeyFromJwk } from '../keys/multikey.js'
import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'
import { isSigningFormat, oneOf, SIGNING_FORMATS, type SigningFormat, type VerifiableKind } from '../service/formats.js'
import { checkSignable, checkSignRequest, resolvableSigner, SignRequestInvalid, signVerifiable, type SignedVerifiable, type SignVerifiableRequest } from '../service/sign-verifiable.js'
import { wipe } from '../util/bytes.js'
import { readJsonBody } from './body.js'
import { json, text, type Route, type RouteContext } from './route-context.js'
import { HttpError } from './problem.js'
import { deleteRequestSchema, generateRequestSchema, signRequestSchema, type SignRequest } from './schemas.js'
import { parseRequest } from './validate.js'

/*
 * The routes of the origin key service (EECC key-service 2.x), with its request fields and
 * response shapes, minus its bugs (docs/http.md lists every difference).
 */

const ALGORITHM_OF: Readonly<Record<string, KeyAlgorithm>> = {
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  ES384: 'P-384',
  ES256K: 'secp256k1',
  PS256: 'RSA-PSS',
}

/** `POST /generate`: 201 with the verification method of the new key. */
export const generateRoute: Route = {
  method: 'POST',
  path: '/generate',
  async run({ request, limits, options }) {
    const body = parseRequest(generateRequestSchema, await readJsonBody(request, limits))
    const algorithm = ALGORITHM_OF[body.signatureType]!
    // As in the origin: an identifier without a fragment names the controller, and the key id is
    // `identifier#<publicKeyMultibase>`, which the caller keeps for every later call.
    let id = body.identifier
    if (id.startsWith('#')) throw new HttpError('invalid_request', 'identifier: must name a controller before any #', {}, [{ code: 'invalid_request', message: 'must name a controller before any #', path: 'identifier' }])
    let publicJwk: PublicJwk
    if (id.includes('#')) {
      publicJwk = (await options.vault.generate({ id, algorithm, secrets: body.secrets })).current.publicJwk
    } else {
      const material = await generateKeyPair(algorithm)
      try {
        id = `${id}#${multikeyFromJwk(material.publicJwk)}`
        if (id.length > 500) throw new HttpError('invalid_request', 'identifier: too long for the key id it makes (identifier#publicKeyMultibase, at most 500 characters)')
        publicJwk = (await options.vault.import({ id, secrets: body.secrets, key: { pkcs8: material.pkcs8 } })).current.publicJwk
      } finally {
        wipe(material.pkcs8)
      }
    }
    const controller = id.slice(0, id.indexOf('#'))
    const method =
      body.keyType === 'Multikey'
        ? { id, type: 'Multikey', controller, publicKeyMultibase: multikeyFromJwk(publicJwk) }
        : { id, type: 'JsonWebKey', controller, publicKeyJwk: publicJwk }
    return json(method, 201)
  },
}

/** `POST /delete`: 204 once the secrets have opened the key and it is gone. */
export const deleteRoute: Route = {
  method: 'POST',
  path: '/delete',
  async run({ request, limits, options, caller }) {
    const body = parseRequest(deleteRequestSchema, await readJsonBody(request, limits))
    await options.vault.delete(body.identifier, body.secrets, clientOption(caller.client))
    return new Response(null, { status: 204 })
  },
}

/** `POST /sign/{vc,vp,pop}/{jwt,data-integrity,sd-jwt}`: the body read into a `SignVerifiableRequest`, signed by `signVerifiable`. */
export function signRoute(kind: VerifiableKind): Route {
  return {
    method: 'POST',
    path: `/sign/${kind}/:type`,
    async run(context) {
      const format = context.params.type
      if (!isSigningFormat(format)) {
        throw new HttpError('invalid_request', `type must be ${oneOf(SIGNING_FORMATS)}`, {}, [{ code: 'invalid_request', message: `must be one of ${SIGNING_FORMATS.map((f) => JSON.stringify(f)).join(', ')}`, path: 'type' }])
      }
      checkSignable(kind, format)
      const body = parseRequest(signRequestSchema, await readJsonBody(context.request, context.limits))
      const request = signRequestOf(body, kind, format, context)
      const key = await context.options.vault.unlock(body.identifier, body.secrets, clientOption(context.caller.client))
      let signed: SignedVerifiable
      try {
        signed = await signVerifiable(resolvableSigner(key), request)
      } catch (error) {
        throw signRequestProblem(error)
      } finally {
        key.lock()
      }
      return signed.mediaType === 'application/json' ? json(signed.secured, 201) : text(signed.secured, signed.mediaType)
    },
  }
}

/**
 * The body as a `SignVerifiableRequest`: the origin's aliases resolved (`nonce` for `challenge`,
 * `audience` for `domain`; both given must agree), then every member checked against the route
 * before the key is unlocked, so that a request that cannot succeed costs no unlock attempt.
 */
function signRequestOf(body: SignRequest, kind: VerifiableKind, format: SigningFormat, context: RouteContext): SignVerifiableRequest {
  const { identifier: _identifier, secrets: _secrets, nonce, audience, challenge, domain, ...members } = body
  if (challenge !== undefined && nonce !== undefined && challenge !== nonce) throw new HttpError('invalid_request', 'challenge and its alias nonce differ')
  if (domain !== undefined && audience !== undefined && domain !== audience) throw new HttpError('invalid_request', 'domain and its alias audience differ')
  // A credential takes no challenge or domain and is refused one; the origin's aliases were accepted
  // and ignored on the credential routes, and still are (its clients send them).
  const resolved = kind === 'vc' ? { challenge, domain } : { challenge: challenge ?? nonce, domain: domain ?? audience }
  const request: SignVerifiableRequest = { ...members, kind, format, ed25519Name: context.options.ed25519Name ?? 'EdDSA', now: context.now }
  if (resolved.challenge !== undefined) request.challenge = resolved.challenge
  if (resolved.domain !== undefined) request.domain = resolved.domain
  try {
    checkSignRequest(request)
  } catch (error) {
    throw signRequestProblem(error)
  }
  return request
}

/** The service's refusal of a request member as the HTTP answer: `invalid_request` pointing at the member. */
function signRequestProblem(error: unknown): unknown {
  if (!(error instanceof SignRequestInvalid)) return error
  const details = error.field === undefined ? undefined : [{ code: 'invalid_request' as const, message: error.reason ?? error.message, path: error.field }]
  return new HttpError('invalid_request', error.message, {}, details)
}

/** `{ client }` for the vault when the request has an authenticated client. @internal */
export function clientOption(client: string | undefined): { client?: string } {
  return client === undefined ? {} : { client }
}
