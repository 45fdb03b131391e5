import { sha256 } from '@noble/hashes/sha2.js'
import { constantTimeEqual, utf8 } from '../util/bytes.js'
import type { HttpAuth } from './options.js'
import { HttpError } from './problem.js'

/** Who made an authenticated request: `undefined` when authentication is disabled. @internal */
export interface Caller {
  client: string | undefined
}

/** Validates the `auth` option once, at `createHandler`. @internal */
export function checkAuthOption(auth: HttpAuth | undefined): void {
  if (auth === null || typeof auth !== 'object') {
    throw new HttpError(
      'invalid_argument',
      'createHandler needs auth: { bearerTokens }, { authorize } or, explicitly, { disabled: true }',
    )
  }
  if ('bearerTokens' in auth) {
    const tokens = auth.bearerTokens
    if (
      !Array.isArray(tokens) ||
      tokens.length === 0 ||
      tokens.some((t) => typeof t !== 'string' || t.length < 16)
    ) {
      throw new HttpError(
        'invalid_argument',
        'bearerTokens must be a non-empty array of tokens of at least 16 characters',
      )
    }
  } else if ('authorize' in auth) {
    if (typeof auth.authorize !== 'function')
      throw new HttpError('invalid_argument', 'authorize must be a function')
  } else if (!('disabled' in auth) || auth.disabled !== true) {
    throw new HttpError(
      'invalid_argument',
      'auth must be { bearerTokens }, { authorize } or { disabled: true }',
    )
  }
}

/**
 * Authenticates a request or throws `unauthorized` (401). Bearer tokens are compared in constant
 * time against every configured token (the loop does not stop at a match).
 *
 * @internal
 */
export async function authenticate(
  auth: HttpAuth,
  tokenBytes: readonly Uint8Array[],
  request: Request,
): Promise<Caller> {
  if ('disabled' in auth) return { client: undefined }
  if ('authorize' in auth) {
    let decision
    try {
      decision = await auth.authorize(request)
    } catch {
      throw new HttpError('unauthorized', 'the request is not authorized')
    }
    if (decision === true) return { client: undefined }
    if (decision !== null && typeof decision === 'object' && typeof decision.client === 'string')
      return { client: decision.client }
    throw new HttpError('unauthorized', 'the request is not authorized')
  }
  const header = request.headers.get('authorization')
  const match = header === null ? null : /^Bearer[ ]+([\x21-\x7e]{1,4096})$/i.exec(header)
  if (match === null)
    throw new HttpError('unauthorized', 'a bearer token is required', {
      'www-authenticate': 'Bearer',
    })
  // Digests first: equal lengths, so the comparison time says nothing about a token's length.
  const presented = sha256(utf8(match[1]!))
  let found = -1
  tokenBytes.forEach((token, index) => {
    if (constantTimeEqual(presented, token) && found === -1) found = index
  })
  if (found === -1)
    throw new HttpError('unauthorized', 'the bearer token is not valid', {
      'www-authenticate': 'Bearer error="invalid_token"',
    })
  return { client: `token-${found}` }
}
