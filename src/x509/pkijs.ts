import type * as Pkijs from 'pkijs'
import { CredsignError } from '../errors/credsign-error.js'

/*
 * pkijs (X.509 and PKCS#10 on WebCrypto) is loaded on first use only: JWT-only callers never pay
 * for it (scripts/bundle-size.mjs keeps the core budgets). One promise per realm, so every caller
 * shares one module instance.
 */
let loaded: Promise<typeof Pkijs> | undefined

/**
 * The pkijs module, imported on the first call and cached. Errors: `crypto_unavailable` when the
 * module cannot be loaded (pkijs is an optional peer dependency: not installed, or dropped by a
 * bundler).
 *
 * @example
 *
 * ```ts
 * import { loadPkijs } from './pkijs.js'
 * const pkijs = await loadPkijs()
 * pkijs.Certificate.fromBER(new Uint8Array([0x30, 0x00])) // throws: not a certificate
 * ```
 *
 * @internal
 */
export function loadPkijs(): Promise<typeof Pkijs> {
  loaded ??= import('pkijs').catch((cause: unknown) => {
    loaded = undefined
    // An optional peer dependency of credsign (JWT-only installs skip it): say how to get it.
    throw new CredsignError(
      'crypto_unavailable',
      'X.509 needs the pkijs package, which could not be loaded (npm install pkijs)',
      { cause },
    )
  })
  return loaded
}
