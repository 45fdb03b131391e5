// The one `aud` rule of verify(), for every JWT it accepts: JWT credentials and presentations
// (VC-JOSE-COSE and VCDM 1.1), plain JWTs, an SD-JWT's issuer-signed JWT and its KB-JWT, whether
// given on their own, in an envelope or inside a presentation, and status lists.
//
// RFC 7519 section 4.1.3: "If the principal processing the claim does not identify itself with a
// value in the "aud" claim when this claim is present, then the JWT MUST be rejected." The principal
// is the verifier, and it identifies itself with `options.audience`. A credential inside a
// presentation is processed by the same verifier, so the presentation's audience is the identity
// its `aud` is checked against; but a credential need not be addressed at all (the presentation is
// what binds the exchange to the verifier), so only a caller's own `audience` makes `aud` required.
// A KB-JWT inside a presentation answers the presentation's nonce too (expectedNonceOf): it is the
// holder's proof for this exchange, and one from an earlier exchange must not pass for it.
import { asList } from '../credential/validate-shared.js'
import type { VerifyOptions } from './types.js'
import type { ResultBuilder } from './result-builder.js'

/**
 * Where the verifier's identity comes from when it is not the caller's `audience` for this very
 * token: a credential inside a presentation (the presentation's audience, possibly undefined) or a
 * status list fetched during a status check (none: a list is the same for every verifier). A token
 * verified under one need not carry `aud`. `nonce`: the presentation's, which a KB-JWT inside it
 * must carry when there is one (the KB-JWT is the holder's proof for this exchange too).
 */
export type VerifierAudienceSource =
  | { from: 'presentation'; audience: string | undefined; nonce: string | undefined }
  | { from: 'status list'; audience: undefined }

/**
 * The key under which the engine's options for a credential inside a presentation, or for a status
 * list, carry the verifier's identity ({@link VerifierAudienceSource}), while `audience` itself is
 * cleared: the caller's expectation that the token be addressed to it is the presentation's (or the
 * credential's), not this token's. A symbol, so no caller can set it through `VerifyOptions`.
 *
 * @internal
 */
export const VERIFIER_AUDIENCE: unique symbol = Symbol('credsign.verifierAudience')

/** Options that may carry {@link VERIFIER_AUDIENCE}. @internal */
export type AudienceOptions = Pick<VerifyOptions, 'audience' | 'nonce'> & {
  [VERIFIER_AUDIENCE]?: VerifierAudienceSource
}

/** Who is verifying a token, and whether the token must be addressed to it. @internal */
export interface VerifierAudience {
  audience: string | undefined
  /** The caller gave `audience` for this token: a token without `aud` fails. */
  required: boolean
  from: 'caller' | VerifierAudienceSource['from']
}

/**
 * Who is verifying and whether the token must be addressed to it: the caller's `audience` (a token
 * without `aud` then fails: the caller asked for one addressed to it), or the identity carried
 * under {@link VERIFIER_AUDIENCE} (a token without `aud` is fine). @internal
 */
export function verifierAudienceOf(options: AudienceOptions): VerifierAudience {
  const source = options[VERIFIER_AUDIENCE]
  if (source !== undefined) return { audience: source.audience, required: false, from: source.from }
  return { audience: options.audience, required: options.audience !== undefined, from: 'caller' }
}

/** Options for the credentials inside a presentation verified with `options`. @internal */
export function embeddedOptions(options: AudienceOptions): Partial<VerifyOptions> {
  const inner: AudienceOptions & { nonce: undefined } = {
    audience: undefined,
    nonce: undefined,
    // A credential inside a credential inside a presentation (an envelope) keeps the identity.
    [VERIFIER_AUDIENCE]: {
      from: 'presentation',
      audience: verifierAudienceOf(options).audience,
      nonce: expectedNonceOf(options),
    },
  }
  return inner
}

/**
 * The nonce a KB-JWT must carry: the caller's `nonce`, or inside a presentation the presentation's
 * (a KB-JWT captured from an earlier exchange is otherwise accepted in a fresh presentation for as
 * long as `keyBindingMaxAgeSeconds`, where `verify()` of the SD-JWT itself refuses it). Undefined:
 * none is asked. @internal
 */
export function expectedNonceOf(options: AudienceOptions): string | undefined {
  if (options.nonce !== undefined) return options.nonce
  const source = options[VERIFIER_AUDIENCE]
  return source?.from === 'presentation' ? source.nonce : undefined
}

/** The identity a status list is verified under: none, so a list with `aud` fails. @internal */
export const STATUS_LIST_AUDIENCE: VerifierAudienceSource = {
  from: 'status list',
  audience: undefined,
}

/**
 * Why a token's `aud` fails the rule, or undefined when it passes: with `aud`, the verifier must
 * name an audience it contains; without, only an `audience` the caller gave for this very token
 * makes it fail. `what` names the token in messages ("the token", "the KB-JWT"). @internal
 */
export function audienceProblem(
  aud: unknown,
  verifier: VerifierAudience,
  what: string,
): string | undefined {
  if (aud === undefined) return verifier.required ? `${what} has no aud` : undefined
  if (verifier.audience === undefined) {
    switch (verifier.from) {
      case 'caller':
        return `${what} names an audience (aud) and no audience was given to check it against: pass options.audience, this verifier's identifier (RFC 7519 section 4.1.3)`
      case 'presentation':
        return `${what} names an audience (aud) and the presentation it is in was verified with no audience: pass options.audience, this verifier's identifier (RFC 7519 section 4.1.3)`
      default:
        return `${what} names an audience (aud): a status list is the same for every verifier and is verified for no audience, so one addressed to a party is refused (RFC 7519 section 4.1.3)`
    }
  }
  if (!asList(aud).includes(verifier.audience))
    return verifier.from === 'presentation'
      ? `${what} is addressed to another party: its aud does not name this verifier (the presentation's audience)`
      : `the aud of ${what} does not name this verifier`
  return undefined
}

/**
 * Records the `audience` check of a token's `aud` under the rule of {@link audienceProblem}: failed
 * (`audience_mismatch`), passed when an audience was compared, nothing when there was nothing to
 * compare. `aud` is optional for a credential (and an SD-JWT's issuer-signed JWT): one without it,
 * asked for an `audience`, records nothing, and verify() says `expectation_unchecked` (the caller
 * asked for a binding the credential does not make); a presentation or plain JWT without it fails.
 * Returns whether `aud` was there and named the verifier. @internal
 */
export function checkAudience(
  aud: unknown,
  options: AudienceOptions,
  builder: ResultBuilder,
  token: { what: string; audOptional: boolean },
): boolean {
  const verifier = verifierAudienceOf(options)
  if (aud === undefined && token.audOptional) return false
  const problem = audienceProblem(aud, verifier, token.what)
  if (problem !== undefined) builder.fail('audience', 'audience_mismatch', problem, 'aud')
  else if (aud !== undefined) builder.pass('audience', verifier.audience)
  return problem === undefined && aud !== undefined
}
