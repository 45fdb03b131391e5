// A relatedResource check that cannot run must not count as a pass: withRelatedResourceChecks used
// to swallow any error of the digest pass into "no outcomes" and keep `verified: true`. A caller
// document whose getter throws makes the pass fail as a bug would (no module mocking: the
// node-backend project's setup loads the library before any mock could apply).
import { describe, expect, it } from 'vitest'
import { withRelatedResourceChecks } from '../../src/verify/related-resources.js'
import type { VerificationResult } from '../../src/verify/types.js'

const RESOURCE = 'https://resources.example/logo.png'

describe('withRelatedResourceChecks fails closed', () => {
  it('an error in the digest pass is related_resource_unchecked and not verified', async () => {
    const result: VerificationResult = {
      verified: true,
      format: 'vc+jwt',
      credential: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        relatedResource: [{ id: RESOURCE, digestSRI: 'sha384-AAAA' }],
      },
      checks: [{ name: 'signature', passed: true }],
      errors: [],
    }
    const documents = Object.defineProperty({}, RESOURCE, {
      enumerable: true,
      get(): never {
        throw new Error('resource store unavailable')
      },
    }) as Record<string, string>
    const checked = await withRelatedResourceChecks(result, { documents })
    expect(checked.verified).toBe(false)
    expect(checked.errors.map((e) => e.code)).toEqual(['related_resource_unchecked'])
    expect(checked.errors[0]?.message).not.toContain('resource store unavailable')
  })
})
