// Adversarial review of the status list verifier (issue 18): a cached list is never used outside
// the validity the list itself states, whichever way it states it.
import { beforeAll, describe, expect, it } from 'vitest'
import { createStatusListResolver, verify, JwtVcSigner, type Signer } from '../../src/index.js'
import { codes, didSigner } from './vc-helpers.js'
import {
  LIST_URL,
  bitstringEntry,
  bitstringListCredential,
  credentialWithStatus,
  servingFetch,
} from './status-helpers.js'

let issuer: Signer
beforeAll(async () => {
  issuer = await didSigner('Ed25519')
})

describe('a cached status list outliving its validity', () => {
  it('a vc+jwt list valid by its JWT exp only is not reused after that exp', async () => {
    const t0 = 1_900_000_000
    // No validUntil: the list's only expiry is the JWT `exp` (60 s after iat), as JwtVcSigner's
    // expiresIn writes it.
    const list = await new JwtVcSigner(issuer).sign(await bitstringListCredential(), {
      issuedAt: t0,
      expiresIn: 60,
    })
    const served = servingFetch({ [LIST_URL]: { body: list, type: 'application/vc+jwt' } })
    let clock = t0 * 1000
    const statusLists = createStatusListResolver({ fetch: served.fetch, clock: () => clock })
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    expect((await verify(vc, { statusLists, now: t0 * 1000 })).verified).toBe(true)
    // 200 s later: still inside the default cache period (300 s), but 140 s past the list's exp.
    clock += 200_000
    const later = await verify(vc, { statusLists, now: clock })
    expect(later.verified).toBe(false)
    expect(codes(later)).toEqual(['status_list_expired'])
    // What a verifier without the cached copy answers, fetching the same list again.
    const fresh = await verify(vc, {
      statusLists: createStatusListResolver({ fetch: served.fetch, clock: () => clock }),
      now: clock,
    })
    expect(codes(fresh)).toEqual(['status_list_expired'])
  })
})

describe('a status list URL that makes the verifier call itself', () => {
  it('a loopback list URL is status_list_unavailable before any request, unless allowHttp', async () => {
    for (const target of [
      'http://127.0.0.1:2375/containers/json',
      'http://localhost:8080/admin/status',
      'https://localhost/status/1',
      'http://[::1]/status/1',
    ]) {
      const served = servingFetch({})
      const vc = await credentialWithStatus(
        issuer,
        bitstringEntry(1, { statusListCredential: target }),
      )
      const result = await verify(vc, {
        statusLists: createStatusListResolver({ fetch: served.fetch }),
      })
      expect(codes(result), target).toEqual(['status_list_unavailable'])
      // Before the fix: the three http and the https loopback URLs were all requested.
      expect(served.calls, target).toEqual([])
      const local = servingFetch({})
      await verify(vc, {
        statusLists: createStatusListResolver({ fetch: local.fetch, allowHttp: true }),
      })
      expect(local.calls, target).toEqual([target])
    }
    // Other spellings of this machine, and IP addresses (as for a did:web host), allowHttp or not.
    for (const target of [
      'https://0.0.0.0/status/1',
      'https://[::]/status/1',
      'https://[::ffff:127.0.0.1]/status/1',
      'https://localhost./status/1',
      'https://10.0.0.5/status/1',
      'https://169.254.169.254/status/1',
    ])
      for (const allowHttp of [false, true]) {
        if (allowHttp && target.startsWith('https://localhost.')) continue
        const served = servingFetch({})
        const vc = await credentialWithStatus(
          issuer,
          bitstringEntry(1, { statusListCredential: target }),
        )
        const result = await verify(vc, {
          statusLists: createStatusListResolver({ fetch: served.fetch, allowHttp }),
        })
        expect(codes(result), target).toEqual(['status_list_unavailable'])
        expect(served.calls, target).toEqual([])
      }
    expect(() => createStatusListResolver({ allowHttp: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})
