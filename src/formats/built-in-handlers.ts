import { sdJwtHandler } from './sd-jwt/handler.js'
import { envelopedHandler } from './enveloped/handler.js'
import { joseHandler } from './jwt/handler.js'
import type { FormatHandler } from '../verify/types.js'

/**
 * The handlers `verify()` always has: SD-JWT (SD-JWT VC, VC-JOSE-COSE `vc+sd-jwt` / `vp+sd-jwt`),
 * which only needs the jose layer and @noble/hashes, and the JOSE family (JWS, JWT, JWT-VC/VP).
 * SD-JWT comes first: its detector claims every SD-JWT form, including the ones that also look like
 * a plain JWS (a compact JWT typed `…+sd-jwt` without `~`, a JSON serialization carrying
 * `disclosures` / `kb_jwt`), which must never verify as a plain JWS without the disclosure and key
 * binding rules. Formats with heavy dependencies (Data Integrity needs JSON-LD) stay out of the
 * core and are passed in `options.handlers`, so JWT-only users never load them. The envelope
 * handler (`EnvelopedVerifiableCredential` / `EnvelopedVerifiablePresentation` objects) unwraps and
 * hands the content back to these.
 *
 * @internal
 */
export function builtInHandlers(): FormatHandler[] {
  return [sdJwtHandler, joseHandler, envelopedHandler]
}
