import { isSdJwtJson, isSdJwtTyped, sdJwtHandler } from '../sd-jwt/handler.js'
import { joseHandler } from '../vc/jose-handler.js'
import type { FormatHandler } from './types.js'

/**
 * The handlers `verify()` always has: the JOSE family (JWS, JWT, JWT-VC/VP) and SD-JWT (SD-JWT VC,
 * VC-JOSE-COSE `vc+sd-jwt` / `vp+sd-jwt`), which only needs the jose layer and @noble/hashes.
 * Formats with heavy dependencies (Data Integrity needs JSON-LD) stay out of the core and are
 * passed in `options.handlers`, so JWT-only users never load them.
 * @internal
 */
export function builtInHandlers(): FormatHandler[] {
  return [joseFirst, sdJwtHandler]
}

/**
 * The JOSE handler, except for SD-JWTs it would otherwise take: compact JWTs typed as SD-JWT
 * (`…+sd-jwt`) without a `~` (the SD-JWT handler refuses them) and JWS JSON serializations that
 * carry `disclosures` / `kb_jwt` (the SD-JWT handler verifies them). Either would otherwise verify
 * as a plain JWS, without the disclosure and key binding rules.
 */
const joseFirst: FormatHandler = {
  ...joseHandler,
  detect: (input) => joseHandler.detect(input) && !isSdJwtTyped(input) && !isSdJwtJson(input),
}
