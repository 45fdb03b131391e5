// The JOSE formats' list of the VCDM 2.0 base context's protected terms (checkContext) must be the
// bundled context's own top-level terms: a term added to the context and not to the list would be
// redefinable inline again, one in the list and not the context refused for nothing.
import { describe, expect, it } from 'vitest'
import { V2_PROTECTED_TERMS } from '../../src/credential/validate-context.js'
import credentialsV2 from '../../src/formats/data-integrity/contexts/credentials-v2.js'

describe('V2_PROTECTED_TERMS', () => {
  it('is the bundled VCDM 2.0 base context’s top-level terms, all @protected', () => {
    const context = (credentialsV2 as { '@context': Record<string, unknown> })['@context']
    expect(context['@protected']).toBe(true)
    const terms = Object.keys(context).filter((term) => term !== '@protected')
    expect([...V2_PROTECTED_TERMS].sort()).toEqual(terms.sort())
  })
})
