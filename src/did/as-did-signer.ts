import { CredsignError } from '../errors/credsign-error.js'
import { multikeyFromJwk } from '../keys/multikey.js'
import type { PublicJwk, Signer } from '../keys/types.js'
import { didJwkFromJwk } from './did-jwk.js'

/**
 * The same signer under the verification method id of its did:key (`did:key:z…#z…`) or did:jwk
 * (`did:jwk:…#0`), so formats that name the key by `kid` / `verificationMethod` name it by a DID
 * anyone can resolve offline. Signing still goes through the original signer (e.g. a vault key).
 *
 * @example
 *
 * ```ts
 * import { KeyVault, MemoryStore, asDidSigner } from 'credsign'
 * const vault = new KeyVault({
 *   store: new MemoryStore(),
 *   serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * await vault.generate({ id: 'wallet-key', algorithm: 'Ed25519', secrets: ['s1'] })
 * const signer = asDidSigner(await vault.unlock('wallet-key', ['s1']))
 * console.log(signer.id) // did:key:z6Mk…#z6Mk…
 * ```
 */
export function asDidSigner(signer: Signer, method: 'key' | 'jwk' = 'key'): Signer {
  if (!signer || typeof signer.sign !== 'function' || !signer.publicJwk) {
    throw new CredsignError('invalid_argument', 'asDidSigner needs a Signer')
  }
  const id = didSignerId(signer.publicJwk, method)
  return {
    id,
    algorithm: signer.algorithm,
    publicJwk: signer.publicJwk,
    sign: (data) => signer.sign(data),
  }
}

/**
 * The verification method id a key has as its did:key (`did:key:z…#z…`) or did:jwk (`did:jwk:…#0`):
 * the id {@link asDidSigner} gives a signer. Throws `invalid_argument` for another method.
 *
 * @example
 *
 * ```ts
 * didSignerId(publicJwk, 'key') // 'did:key:z6Mk…#z6Mk…'
 * ```
 *
 * @internal
 */
export function didSignerId(publicJwk: PublicJwk, method: 'key' | 'jwk' = 'key'): string {
  if (method === 'key') {
    const multibase = multikeyFromJwk(publicJwk)
    return `did:key:${multibase}#${multibase}`
  }
  if (method === 'jwk') return `${didJwkFromJwk(publicJwk)}#0`
  throw new CredsignError('invalid_argument', "method must be 'key' or 'jwk'")
}
