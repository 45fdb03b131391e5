import { joseHandler } from '../vc/jose-handler.js'
import type { FormatHandler } from './types.js'

/**
 * The handlers `verify()` always has: the JOSE family (JWS, JWT, JWT-VC/VP). Formats with heavy
 * dependencies (Data Integrity needs JSON-LD) stay out of the core and are passed in
 * `options.handlers`, so JWT-only users never load them.
 * @internal
 */
export function builtInHandlers(): FormatHandler[] {
  return [joseHandler]
}
