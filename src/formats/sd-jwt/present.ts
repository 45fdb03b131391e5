import { CredsignError } from '../../errors/credsign-error.js'
import { isOptionsObject, isPlainObject } from '../../jose/json.js'
import { requiredMembers } from '../../keys/jwk.js'
import type { PublicJwk } from '../../keys/types.js'
import { parseDisclosure } from './disclosure.js'
import { frameLevel } from './frame.js'
import { readIssuerJwt } from './issuer-jwt.js'
import { defaultResolver } from '../../resolve/default-resolver.js'
import { signKbJwt } from './key-binding.js'
import { processPayload, type DigestSources } from './process.js'
import { splitSdJwt } from './serialization.js'
import type { DisclosureFrame, PresentOptions } from './types.js'

/**
 * Makes a presentation from an issued SD-JWT: keeps the disclosures `disclose` selects (default
 * `'all'`; `'none'`; or a frame whose `_sd` names the disclosable claims to reveal at each level,
 * array elements by their index in the fully disclosed array), plus every disclosure a selected one
 * depends on (the disclosure of its enclosing claim), and, with `holder`, appends a KB-JWT (`typ:
 * kb+jwt`; `iat`, `aud`, `nonce`, and `sd_hash` over `<jws>~<disclosures>~`). Resolves with
 * `<jws>~<d>~…~<kb-jwt>` (or `…~` without holder). Disclosures keep their order in the SD-JWT.
 *
 * Nothing is verified here (the holder got the SD-JWT from its issuer). Errors: `malformed` /
 * `disclosure_invalid` for an SD-JWT that does not decode, `invalid_argument` for an SD-JWT that
 * already ends in a KB-JWT, `audience`/`nonce` without `holder` or `holder` without both, or a
 * holder whose key is not the `cnf.jwk` of the SD-JWT (or, without `cnf.jwk`, the key of a did:key
 * / did:jwk `cnf.kid`, resolved offline; other `cnf.kid`s are left to the verifier); and the holder
 * signer's errors.
 *
 * @example
 *
 * ```ts
 * import { presentSdJwt } from 'credsign'
 * declare const sdJwt: string, holder: import('credsign').Signer
 * const presentation = await presentSdJwt(sdJwt, {
 *   disclose: { _sd: ['given_name'], address: { _sd: ['locality'] } }, // address comes along: locality needs it
 *   holder,
 *   audience: 'https://verifier.example',
 *   nonce: 'n-0S6_WzA2Mj',
 * })
 * ```
 */
export async function presentSdJwt(sdJwt: string, options: PresentOptions = {}): Promise<string> {
  if (!isOptionsObject(options))
    throw new CredsignError('invalid_argument', 'options must be an object')
  const { disclose = 'all', holder, audience, nonce, now, ed25519Name, fullySpecified } = options
  if (holder === undefined && (audience !== undefined || nonce !== undefined)) {
    throw new CredsignError(
      'invalid_argument',
      'audience and nonce go into a KB-JWT: give the holder signer too',
    )
  }
  if (
    holder !== undefined &&
    (typeof audience !== 'string' ||
      audience.length === 0 ||
      typeof nonce !== 'string' ||
      nonce.length === 0)
  ) {
    throw new CredsignError(
      'invalid_argument',
      'a KB-JWT needs audience and nonce (RFC 9901 section 4.3)',
    )
  }
  const split = splitSdJwt(sdJwt)
  if (split.kbJwt !== undefined)
    throw new CredsignError(
      'invalid_argument',
      'this SD-JWT already ends in a KB-JWT: present the issued SD-JWT',
    )
  const issuer = readIssuerJwt(split)
  const disclosures = split.disclosures.map((d) => parseDisclosure(d, issuer.alg))
  const processed = processPayload(issuer.payload, disclosures)

  let chosen: ReadonlySet<string>
  if (disclose === 'all') chosen = new Set(disclosures.map((d) => d.digest))
  else if (disclose === 'none') chosen = new Set()
  else if (isPlainObject(disclose)) chosen = select(processed.claims, disclose, processed.sources)
  else
    throw new CredsignError(
      'invalid_argument',
      "disclose must be a presentation frame, 'all' or 'none'",
    )

  const kept = disclosures.filter((d) => chosen.has(d.digest)).map((d) => d.disclosure)
  const presented = `${split.jws}~${kept.map((d) => `${d}~`).join('')}`
  if (holder === undefined) return presented
  await checkHolderKey(issuer.payload.cnf, holder.publicJwk)
  const kbJwt = await signKbJwt(holder, presented, issuer.alg, {
    audience: audience as string,
    nonce: nonce as string,
    ...(now === undefined ? {} : { now }),
    ...(ed25519Name === undefined ? {} : { ed25519Name }),
    ...(fullySpecified === undefined ? {} : { fullySpecified }),
  })
  return `${presented}${kbJwt}`
}

/**
 * The digests a presentation frame selects, with the digests of every disclosure that encloses a
 * selected one.
 */
function select(
  claims: Record<string, unknown>,
  frame: DisclosureFrame,
  sources: DigestSources,
): Set<string> {
  const chosen = new Set<string>()
  const walk = (
    container: object,
    level: DisclosureFrame | undefined,
    chain: readonly string[],
    path: string,
  ): void => {
    const parsed = frameLevel(level, path)
    const digests = sources.get(container)
    const keys: (string | number)[] = Array.isArray(container)
      ? container.map((_, index) => index)
      : Object.keys(container)
    for (const key of keys) {
      const digest = digests?.get(key)
      const selected = typeof key === 'number' ? parsed.indexes.has(key) : parsed.names.has(key)
      if (selected && digest !== undefined) for (const d of [...chain, digest]) chosen.add(d)
      const inner = parsed.inner(key)
      const value = (container as Record<string | number, unknown>)[key]
      if (inner !== undefined && typeof value === 'object' && value !== null) {
        walk(
          value,
          inner,
          digest === undefined ? chain : [...chain, digest],
          `${path}.${String(key)}`,
        )
      }
    }
  }
  walk(claims, frame, [], '')
  return chosen
}

/**
 * A holder whose key is not the SD-JWT's holder key would make a KB-JWT no verifier accepts. The
 * holder key is `cnf.jwk` when present (as for the verifier, a `kid` next to it is only a hint);
 * else a did:key / did:jwk `cnf.kid`, which resolves offline. Any other `cnf.kid` (did:web, a plain
 * kid) needs the verifier's resolver: nothing is compared, and the signer's `id` is not either (one
 * key can have several DID URLs). A `cnf` that does not decode is the verifier's to refuse.
 */
async function checkHolderKey(cnf: unknown, holderJwk: PublicJwk): Promise<void> {
  // No cnf: the SD-JWT is bound to no key, and a KB-JWT could not be verified (RFC 9901 section 7.3).
  if (cnf === undefined)
    throw new CredsignError(
      'invalid_argument',
      'this SD-JWT has no holder binding (cnf): present it without a holder, audience and nonce',
    )
  if (!isPlainObject(cnf)) return
  let boundJwk: unknown
  let what: string
  if (cnf.jwk !== undefined) {
    boundJwk = cnf.jwk
    what = 'cnf.jwk'
  } else if (typeof cnf.kid === 'string' && /^did:(key|jwk):/.test(cnf.kid)) {
    try {
      boundJwk = (await defaultResolver().resolveKey(cnf.kid)).publicJwk
    } catch {
      return
    }
    what = 'the key of cnf.kid'
  } else {
    return
  }
  if (!isPlainObject(boundJwk)) return
  let bound: PublicJwk
  let own: PublicJwk
  try {
    bound = requiredMembers(boundJwk as unknown as PublicJwk)
    own = requiredMembers(holderJwk)
  } catch {
    return
  }
  if (JSON.stringify(bound) !== JSON.stringify(own))
    throw new CredsignError(
      'invalid_argument',
      `the holder signer's key is not the key the SD-JWT is bound to (${what})`,
    )
}
