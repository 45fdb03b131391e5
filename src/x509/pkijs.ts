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
 * module cannot be loaded (a bundler that dropped it).
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
    throw new CredsignError('crypto_unavailable', 'the pkijs module (X.509) could not be loaded', {
      cause,
    })
  })
  return loaded
}
