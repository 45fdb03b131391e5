// The recipes in examples/recipes/ (issue 17, item 4), run against the sources; CI also runs them
// against the built package (scripts/test-examples.mjs). Each checks its outputs with jose.
import { describe, it } from 'vitest'
import { evaultKeyBindingRecipe } from '../../examples/recipes/evault-key-binding.js'
import { flureeRecipe } from '../../examples/recipes/fluree.js'
import { vcverifierRecipe } from '../../examples/recipes/vcverifier.js'

describe('recipes', () => {
  it('eVault key binding certificate verified through the served JWKS', () =>
    evaultKeyBindingRecipe())
  it('Fluree: JWS with kid did:key and with header jwk; VC Ed25519Signature2020 / authentication', () =>
    flureeRecipe())
  it(
    'VCVerifier: tokens and request objects (ES256, RS256); an SD-JWT presentation with nonce and audience',
    () => vcverifierRecipe(),
    60_000,
  )
})
