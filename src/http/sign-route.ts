import * as z from 'zod'
import { ed25519NameOf } from './eecc-compat.js'
import {
  CRYPTOSUITES_OFFERED,
  isSigningFormat,
  oneOf,
  SIGNING_FORMATS,
  type SigningFormat,
  type VerifiableKind,
} from '../service/formats.js'
import {
  checkSignable,
  checkSignRequest,
  resolvableSigner,
  SignRequestInvalid,
  signVerifiable,
  type SignedVerifiable,
  type SignVerifiableRequest,
} from '../service/sign-verifiable.js'
import { readJsonBody } from './body.js'
import { HttpError } from './problem.js'
import { json, text, type Route, type RouteContext } from './route-context.js'
import { identifierSchema, jsonObject, secretsSchema } from './schemas.js'
import { assertIdentifierFits, clientOption } from './sign-routes.js'
import { parseRequest } from './validate.js'

/*
 * `POST /sign/{vc,vp,pop}/{jwt,data-integrity,sd-jwt}` of the origin key service: its request
 * fields read into a `SignVerifiableRequest` and signed by `signVerifiable`, the service the CLI's
 * `credsign sign` calls too. This file only speaks HTTP: the body schema, the origin's aliases, the
 * status codes and media types.
 */

const isoDateTime = z
  .string()
  .max(64)
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
    'an ISO 8601 date-time with Z or an offset',
  )

/**
 * A JSON value the DisclosureFrame / presentation frame type accepts (checked again by the
 * library).
 */
const frameSchema = jsonObject.meta({
  description:
    'An SD-JWT disclosure frame (`_sd`, `_sd_decoy`, nested objects), see docs/sd-jwt.md.',
})

/** `POST /sign/{vc,vp,pop}/{type}`: the origin's fields, plus credsign's optional ones. */
const signRequestSchema = z
  .strictObject({
    identifier: identifierSchema,
    secrets: secretsSchema,
    verifiable: z
      .union([jsonObject, z.string().min(1).max(1_000_000)])
      .optional()
      .meta({
        description:
          'The credential or presentation to sign (an object); for /sign/vp/sd-jwt, the SD-JWT to present (a string).',
      }),
    challenge: z.string().max(10_000).optional().meta({
      description: 'Nonce / challenge (OID4VCI c_nonce, DI challenge, KB-JWT nonce). Alias: nonce.',
    }),
    nonce: z.string().max(10_000).optional().meta({ description: 'Alias of challenge.' }),
    domain: z.string().max(10_000).optional().meta({
      description:
        'Audience / domain (OID4VCI Credential Issuer Identifier, DI domain, KB-JWT aud). Alias: audience.',
    }),
    audience: z.string().max(10_000).optional().meta({ description: 'Alias of domain.' }),
    validUntil: isoDateTime
      .optional()
      .meta({ description: 'Presentations: exp of a JWT VP, expires of a DI proof.' }),
    cryptosuite: z.enum(CRYPTOSUITES_OFFERED).optional(),
    disclosureFrame: frameSchema.optional(),
    holderPublicJwk: jsonObject
      .optional()
      .meta({ description: 'SD-JWT: the holder key written to cnf.jwk.' }),
    presentationFrame: frameSchema.optional(),
    clientId: z.string().min(1).max(500).optional().meta({
      description:
        'OID4VCI jwt proof: iss (the wallet client_id). Omit in anonymous pre-authorized flows.',
    }),
    keyReference: z
      .enum(['kid', 'jwk'])
      .optional()
      .meta({ description: 'OID4VCI jwt proof: name the key by kid (default) or embed the jwk.' }),
  })
  .meta({ id: 'SignRequest' })

type SignRequest = z.output<typeof signRequestSchema>

const SUMMARIES: Readonly<Record<VerifiableKind, string>> = {
  vc: 'Sign a credential: jwt (application/jwt), data-integrity (JSON), sd-jwt (application/dc+sd-jwt or vc+sd-jwt). 201.',
  vp: 'Sign a presentation: jwt, data-integrity; sd-jwt presents an SD-JWT with a KB-JWT. 201.',
  pop: 'OpenID4VCI proof of possession: jwt (openid4vci-proof+jwt) or data-integrity (di_vp). 201.',
}

/**
 * `POST /sign/{vc,vp,pop}/{jwt,data-integrity,sd-jwt}`: the body read into a
 * `SignVerifiableRequest`, signed by `signVerifiable`.
 */
export function signRoute(kind: VerifiableKind): Route {
  return {
    method: 'POST',
    path: `/sign/${kind}/:type`,
    summary: SUMMARIES[kind],
    successStatus: 201,
    requestSchema: signRequestSchema,
    pathParameters: { type: { type: 'string', enum: [...SIGNING_FORMATS] } },
    async run(context) {
      const format = context.params.type
      if (!isSigningFormat(format)) {
        throw new HttpError('invalid_request', `type must be ${oneOf(SIGNING_FORMATS)}`, {}, [
          {
            code: 'invalid_request',
            message: `must be one of ${SIGNING_FORMATS.map((f) => JSON.stringify(f)).join(', ')}`,
            path: 'type',
          },
        ])
      }
      checkSignable(kind, format)
      const body = parseRequest(
        signRequestSchema,
        await readJsonBody(context.request, context.limits),
      )
      assertIdentifierFits(body.identifier, context.options)
      const request = signRequestOf(body, kind, format, context)
      const key = await context.options.vault.unlock(
        body.identifier,
        body.secrets,
        clientOption(context.caller.client),
      )
      let signed: SignedVerifiable
      try {
        signed = await signVerifiable(resolvableSigner(key), request)
      } catch (error) {
        throw signRequestProblem(error)
      } finally {
        key.lock()
      }
      return signed.mediaType === 'application/json'
        ? json(signed.secured, 201)
        : text(signed.secured, signed.mediaType)
    },
  }
}

/**
 * The body as a `SignVerifiableRequest`: the origin's aliases resolved (`nonce` for `challenge`,
 * `audience` for `domain`; both given must agree), then every member checked against the route
 * before the key is unlocked, so that a request that cannot succeed costs no unlock attempt.
 */
function signRequestOf(
  body: SignRequest,
  kind: VerifiableKind,
  format: SigningFormat,
  context: RouteContext,
): SignVerifiableRequest {
  const {
    identifier: _identifier,
    secrets: _secrets,
    nonce,
    audience,
    challenge,
    domain,
    ...members
  } = body
  if (challenge !== undefined && nonce !== undefined && challenge !== nonce)
    throw new HttpError('invalid_request', 'challenge and its alias nonce differ')
  if (domain !== undefined && audience !== undefined && domain !== audience)
    throw new HttpError('invalid_request', 'domain and its alias audience differ')
  // A credential takes no challenge or domain and is refused one; the origin's aliases were accepted
  // and ignored on the credential routes, and still are (its clients send them).
  const resolved =
    kind === 'vc'
      ? { challenge, domain }
      : { challenge: challenge ?? nonce, domain: domain ?? audience }
  const request: SignVerifiableRequest = {
    ...members,
    kind,
    format,
    ed25519Name: ed25519NameOf(context.options),
    now: context.now,
  }
  if (resolved.challenge !== undefined) request.challenge = resolved.challenge
  if (resolved.domain !== undefined) request.domain = resolved.domain
  try {
    checkSignRequest(request)
  } catch (error) {
    throw signRequestProblem(error)
  }
  return request
}

/**
 * The service's refusal of a request member as the HTTP answer: `invalid_request` pointing at the
 * member.
 */
function signRequestProblem(error: unknown): unknown {
  if (!(error instanceof SignRequestInvalid)) return error
  const details =
    error.field === undefined
      ? undefined
      : [
          {
            code: 'invalid_request' as const,
            message: error.reason ?? error.message,
            path: error.field,
          },
        ]
  return new HttpError('invalid_request', error.message, {}, details)
}
