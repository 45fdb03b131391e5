import { parseDateTime } from '../../credential/date-time.js'
import { CredsignError } from '../../errors/credsign-error.js'
import { isOptionsObject } from '../../jose/json.js'
import { checkJwtTimes } from '../../jose/jwt-times.js'
import { expectedTyp } from '../../jose/typ.js'
import { parseDisclosure } from './disclosure.js'
import {
  SD_JWT_VC_TYPES,
  checkIssuerTyp,
  readIssuerJwt,
  verifyIssuerSignature,
} from './issuer-jwt.js'
import { verifyKbJwt } from './key-binding.js'
import { processPayload } from './process.js'
import { splitSdJwt } from './serialization.js'
import type { SdJwtVerifyOptions, VerifiedSdJwt } from './types.js'
import { checkDisclosureRules, kindOf } from './vc-claims.js'

/**
 * Verifies an SD-JWT or SD-JWT+KB (RFC 9901 section 7) and, for SD-JWT VC, its claim rules
 * (draft-ietf-oauth-sd-jwt-vc-18). Resolves with the issuer-signed payload, the processed claims,
 * the JSON paths that were disclosed, the issuer key and the KB-JWT; throws a `CredsignError`:
 *
 * - `malformed`: not `<jws>~…~[<kb-jwt>]` (or its JSON serialization), a header or payload that does
 *   not decode, a payload that is not a JSON object.
 * - `typ_mismatch`: the header `typ` is not one of `options.typ` (default `dc+sd-jwt`, `vc+sd-jwt`;
 *   any case, `application/` ignored). Checked before any key is resolved.
 * - The jose layer's codes for the issuer signature (`algorithm_not_allowed`, `key_not_found`,
 *   `signature_invalid`, …): key from `options.key`, else `iss` when it is a DID and the header has
 *   no `kid`, else `kid` through `options.resolver`.
 * - `disclosure_invalid`: a disclosure that does not decode, is used twice, is referenced by no
 *   digest or by the wrong kind of digest, uses `_sd` / `...` as its name, or sets a claim that
 *   already exists at its level; a digest that occurs twice; an unsupported `_sd_alg`.
 * - `claim_invalid`: an SD-JWT VC (`dc+sd-jwt`, or `vc+sd-jwt` without `@context`) without a `vct`,
 *   or with `iss`, `nbf`, `exp`, `cnf`, `vct`, `vct#integrity` or `status` disclosed.
 * - `expired` / `not_yet_valid` / `claim_invalid`: the processed claims' `exp`, `nbf`, `iat`
 *   (`checkJwtTimes`; a W3C `vc+sd-jwt` may carry a string `iat`, which is ignored).
 * - Key binding: `key_binding_required` (no KB-JWT, but the SD-JWT has `cnf`, or `requireKeyBinding`,
 *   `audience` or `nonce` asks for one; `requireKeyBinding: false` lifts the `cnf` rule);
 *   `key_binding_invalid` (not signed by the holder key, `typ` not `kb+jwt`, a missing claim, a
 *   wrong `sd_hash`, a `cnf` with neither `jwk` nor `kid`, a `cnf.kid` that does not resolve: the
 *   resolver's error is the `cause`); `resolver_not_configured` (a `cnf.kid` such as did:web that
 *   needs a resolver with a fetch); `key_not_authorized` (the DID document of `cnf.kid` does not
 *   list the key under `authentication`); `audience_mismatch`; `nonce_mismatch`; `expired` /
 *   `not_yet_valid` for an `iat` older than `keyBindingMaxAgeSeconds` (default 300) or in the
 *   future. The holder key is `cnf.jwk` when present (a `kid` next to it is only a hint), else
 *   `cnf.kid` through `options.resolver` (default did:key and did:jwk, offline: nothing is fetched
 *   unless the resolver can).
 * - `invalid_argument`: bad options.
 *
 * @example
 *
 * ```ts
 * import { verifySdJwt } from 'credsign'
 * declare const presentation: string, issuerJwk: import('credsign').PublicJwk
 * const { claims, disclosed, keyBinding } = await verifySdJwt(presentation, {
 *   key: issuerJwk, // or a resolver for a DID kid / iss
 *   audience: 'https://verifier.example',
 *   nonce: 'n-0S6_WzA2Mj',
 * })
 * claims.given_name // 'John'; disclosed: ['given_name', 'address.street_address']
 * ```
 */
export async function verifySdJwt(
  sdJwt: string,
  options: SdJwtVerifyOptions = {},
): Promise<VerifiedSdJwt> {
  checkVerifyOptions(options)
  const accepted = expectedTyp(options.typ) ?? SD_JWT_VC_TYPES
  const split = splitSdJwt(sdJwt)
  const issuer = readIssuerJwt(split)
  checkIssuerTyp(issuer.header, accepted)
  const key = await verifyIssuerSignature(split, issuer, options)
  const disclosures = split.disclosures.map((d) => parseDisclosure(d, issuer.alg))
  const { claims, disclosed } = processPayload(issuer.payload, disclosures)
  const kind = kindOf(issuer.header, issuer.payload)
  checkDisclosureRules(kind, claims, disclosed)
  checkJwtTimes(claims, {
    nonNumericIat:
      (kind === 'w3c-credential' || kind === 'w3c-presentation') &&
      parseDateTime(claims.iat) !== undefined
        ? 'ignore'
        : 'reject',
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: options.clockToleranceSeconds }),
  })
  const keyBinding = await verifyKbJwt(split, issuer.payload, issuer.alg, options)
  const result: VerifiedSdJwt = {
    header: issuer.header,
    payload: issuer.payload,
    claims,
    disclosed,
    key,
  }
  if (keyBinding !== undefined) result.keyBinding = keyBinding
  return result
}

/**
 * The option checks of {@link verifySdJwt} (and the `verify()` handler): `invalid_argument`.
 *
 * @internal
 */
function checkVerifyOptions(options: SdJwtVerifyOptions): void {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const maxAge = options.keyBindingMaxAgeSeconds
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0)
  ) {
    throw new CredsignError(
      'invalid_argument',
      'keyBindingMaxAgeSeconds must be a non-negative number',
    )
  }
  for (const name of ['audience', 'nonce'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'string')
      throw new CredsignError('invalid_argument', `${name} must be a string`)
  }
  if (options.requireKeyBinding !== undefined && typeof options.requireKeyBinding !== 'boolean')
    throw new CredsignError('invalid_argument', 'requireKeyBinding must be a boolean')
  if (options.key !== undefined && options.resolver !== undefined)
    throw new CredsignError('invalid_argument', 'give key or resolver, not both')
}
