// Adversarial review of the status list verifier (issue 18): a cached list is never used outside
// the validity the list itself states, whichever way it states it.
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CredsignError,
  createResolver,
  createStatusListResolver,
  verify,
  JwtVcSigner,
  type KeyResolver,
  type Signer,
} from '../../src/index.js'
import { codes, didSigner } from './vc-helpers.js'
import {
  LIST_URL,
  bitstringEntry,
  bitstringListJwt,
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

describe('the status list cache holds bytes, not only entries', () => {
  it('lists inflating to the maximum each are not all kept: the cache is bounded in bytes', async () => {
    // Any issuer (a did:key costs nothing) can point credentials at many lists, each a few KiB
    // compressed that inflate to maxListBytes (16 MiB by default). Before the fix the cache kept
    // up to cacheMaxEntries (1000) of them: 16 GiB. Here 6 lists of 16 MiB: 96 MiB, above the
    // default byte bound (64 MiB), so the first is evicted and fetched again.
    const entries = 16 * 1024 * 1024 * 8
    const { encodeBitstring, createBitstring } = await import('../../src/index.js')
    const encodedList = await encodeBitstring(createBitstring(entries))
    expect(encodedList.length).toBeLessThan(64 * 1024)
    const lists: Record<string, { body: string; type: string }> = {}
    const credentials: string[] = []
    for (let n = 0; n < 6; n++) {
      const url = `${LIST_URL}/${n}`
      lists[url] = {
        body: await bitstringListJwt(issuer, { url, entries: 131_072, encodedList }),
        type: 'application/vc+jwt',
      }
      credentials.push(
        await credentialWithStatus(issuer, bitstringEntry(n, { statusListCredential: url })),
      )
    }
    const served = servingFetch(lists)
    const statusLists = createStatusListResolver({ fetch: served.fetch })
    for (const vc of credentials) expect((await verify(vc, { statusLists })).verified).toBe(true)
    expect(served.calls.length).toBe(6)
    // The most recent list is still cached; the oldest is not.
    expect((await verify(credentials[5]!, { statusLists })).verified).toBe(true)
    expect(served.calls.length).toBe(6)
    expect((await verify(credentials[0]!, { statusLists })).verified).toBe(true)
    expect(served.calls.length).toBe(7)
    // A bound of its own: a list larger than the whole bound is never kept.
    const small = servingFetch(lists)
    const tight = createStatusListResolver({ fetch: small.fetch, cacheMaxBytes: 1024 * 1024 })
    await verify(credentials[1]!, { statusLists: tight })
    await verify(credentials[1]!, { statusLists: tight })
    expect(small.calls.length).toBe(2)
  })
})

describe('one status list checked by several concurrent checks', () => {
  it('two entries of one list share one fetch and one verification, even with defaultCacheMs 0', async () => {
    // A list of two purposes, read for both: before the fix the second check waited for the
    // first's load, found it "stale" (never reused) and fetched and verified the list again.
    const served = servingFetch({
      [LIST_URL]: {
        body: await bitstringListJwt(issuer, {
          purpose: ['revocation', 'suspension'],
          set: { 2: 1 },
        }),
        type: 'application/vc+jwt',
      },
    })
    const statusLists = createStatusListResolver({ fetch: served.fetch, defaultCacheMs: 0 })
    const vc = await credentialWithStatus(issuer, [
      bitstringEntry(1),
      bitstringEntry(2, { statusPurpose: 'suspension' }),
    ])
    const result = await verify(vc, { statusLists })
    expect(codes(result)).toEqual(['status_suspended'])
    expect(served.calls).toEqual([LIST_URL])
    // Never reused afterwards: the next verify() fetches it again.
    await verify(vc, { statusLists })
    expect(served.calls).toEqual([LIST_URL, LIST_URL])
  })

  it("a concurrent check with another key resolver does not inherit the first one's failure", async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const body = await bitstringListJwt(issuer)
    const calls: string[] = []
    const statusLists = createStatusListResolver({
      fetch: async (url) => {
        calls.push(url)
        await gate
        return new Response(body, { headers: { 'content-type': 'application/vc+jwt' } })
      },
    })
    const vc = await credentialWithStatus(issuer, bitstringEntry(1))
    // Resolves the credential's key, then refuses every other (the list's): its list fails.
    const base = createResolver()
    let used = 0
    const refusing: KeyResolver = {
      resolveKey: (reference, options) => {
        used += 1
        if (used > 1) return Promise.reject(new CredsignError('key_not_found', 'refused'))
        return base.resolveKey(reference, options)
      },
    }
    const first = verify(vc, { statusLists, resolver: refusing })
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    const second = verify(vc, { statusLists })
    // Its own fetch (fixed) or, before the fix, a wait on the first's: give it up to 1 s to start.
    for (let i = 0; i < 200 && calls.length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 5))
    release()
    expect(codes(await first)).toEqual(['status_list_not_verified'])
    expect((await second).errors).toEqual([])
    expect(calls).toEqual([LIST_URL, LIST_URL])
  })
})
