// The resolver verifiers use when the caller passes none (src/resolve/default-resolver.ts) is built
// from the parts of createResolver() without calling it (so no option checks, JWK Set or did:web
// code in a browser bundle that never passes a fetch): on every kind of reference it must answer
// exactly as createResolver() does.
import { describe, expect, it } from 'vitest'
import { createResolver, generateKeyPair, didKeyFromJwk } from '../../src/index.js'
import { defaultResolver } from '../../src/resolve/default-resolver.js'
import { b64u, utf8 } from '../../src/util/bytes.js'

async function outcome(
  resolve: () => Promise<unknown>,
): Promise<{ ok: unknown } | { code: unknown; message: unknown }> {
  try {
    return { ok: await resolve() }
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    return { code, message }
  }
}

describe('defaultResolver() answers as createResolver()', () => {
  it('on DID URLs, bare DIDs, other methods, non-DID references and bad input', async () => {
    const ed = await generateKeyPair('Ed25519')
    const p256 = await generateKeyPair('P-256')
    const didKey = didKeyFromJwk(ed.publicJwk)
    const didJwk = `did:jwk:${b64u(utf8(JSON.stringify(p256.publicJwk)))}`
    const references = [
      `${didKey}#${didKey.slice('did:key:'.length)}`,
      didKey,
      `${didKey}#other-fragment`,
      `${didJwk}#0`,
      didJwk,
      'did:web:issuer.example#key-1',
      'did:web:issuer.example',
      'did:example:123#key-1',
      'did:key:zNotAKey#zNotAKey',
      'did:jwk:not-base64#0',
      'did:',
      'did:UPPER:x',
      'kid-1',
      'https://issuer.example/keys/1',
      '',
      42,
    ]
    const created = createResolver()
    for (const reference of references) {
      const expected = await outcome(() => created.resolveKey(reference as string))
      expect(
        await outcome(() => defaultResolver().resolveKey(reference as string)),
        String(reference),
      ).toEqual(expected)
    }
    const aborted = AbortSignal.abort(new Error('stop'))
    expect(await outcome(() => defaultResolver().resolveKey(didKey, { signal: aborted }))).toEqual(
      await outcome(() => created.resolveKey(didKey, { signal: aborted })),
    )
  })
})
