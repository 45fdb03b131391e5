// Property tests hunting wrong accepts in the status check: what verify() reports must be what a
// plain model of the list says (a Set / a Map, no bit arithmetic), and no mutation of a signed list
// may make verify() report a status other than the one its issuer signed.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createStatusListResolver,
  verify,
  type Signer,
  type TokenStatusBits,
} from '../../src/index.js'
import { codes, didSigner } from './vc-helpers.js'
import {
  LIST_URL,
  TOKEN_URL,
  bitstringEntry,
  bitstringListJwt,
  credentialWithStatus,
  sdJwtWithStatus,
  tokenList,
} from './status-helpers.js'

const SEED = Number(
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.FC_SEED ?? 20_261_207,
)
const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.FC_RUNS ?? 40,
)

let issuer: Signer
beforeAll(async () => {
  issuer = await didSigner('Ed25519')
})

const TOKEN_MEANING: Record<number, string[]> = {
  0: [],
  1: ['status_revoked'],
  2: ['status_suspended'],
}

describe('status: verify() agrees with a model of the list', () => {
  it('Bitstring revocation: revoked exactly when the index is in the revoked set', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 131_071 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 131_071 }),
        fc.boolean(),
        async (revoked, probe, probeRevoked) => {
          const index = probeRevoked && revoked.length > 0 ? (revoked[0] as number) : probe
          const set = Object.fromEntries(revoked.map((i) => [i, 1]))
          const list = await bitstringListJwt(issuer, { set })
          const result = await verify(await credentialWithStatus(issuer, bitstringEntry(index)), {
            statusLists: createStatusListResolver({ lists: { [LIST_URL]: list } }),
          })
          const expected = revoked.includes(index)
          expect(codes(result)).toEqual(expected ? ['status_revoked'] : [])
          expect(result.status?.[0]?.value).toBe(expected ? 1 : 0)
        },
      ),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('Token Status List: the value at idx is the model value, for 1, 2, 4 and 8 bits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TokenStatusBits>(1, 2, 4, 8),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.nat()), { maxLength: 10 }),
        fc.integer({ min: 0, max: 255 }),
        async (bits, writes, probe) => {
          const model = new Map<number, number>()
          for (const [index, value] of writes) model.set(index, value % 2 ** bits)
          const list = await tokenList(issuer, {
            bits,
            entries: 256,
            set: Object.fromEntries(model),
          })
          const result = await verify(await sdJwtWithStatus(issuer, probe), {
            statusLists: createStatusListResolver({ lists: { [TOKEN_URL]: list } }),
          })
          const value = model.get(probe) ?? 0
          expect(result.status?.[0]?.value).toBe(value)
          expect(codes(result)).toEqual(TOKEN_MEANING[value] ?? ['status_unrecognized'])
        },
      ),
      { seed: SEED, numRuns: RUNS },
    )
  })
})

describe('status: a tampered list never reports another status', () => {
  const mutate = (text: string, position: number, replacement: string): string => {
    const at = position % text.length
    return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`
  }
  const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'

  it('one character of a signed token list changed: the status is the signed one, or refused', async () => {
    const list = await tokenList(issuer, { bits: 2, entries: 64, set: { 3: 1, 4: 2 } })
    const inputs = await Promise.all([3, 4, 5].map((idx) => sdJwtWithStatus(issuer, idx)))
    const truth = [1, 2, 0]
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom(...CHARS),
        fc.integer({ min: 0, max: 2 }),
        async (position, replacement, which) => {
          const tampered = mutate(list, position, replacement)
          const result = await verify(inputs[which], {
            statusLists: createStatusListResolver({ lists: { [TOKEN_URL]: tampered } }),
          })
          if (result.status !== undefined && result.status.length > 0)
            expect(result.status[0]?.value).toBe(truth[which])
          if (result.verified) expect(truth[which]).toBe(0)
        },
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    )
  })

  it('one character of a signed Bitstring list changed: the status is the signed one, or refused', async () => {
    const list = await bitstringListJwt(issuer, { set: { 10: 1 } })
    const inputs = await Promise.all(
      [10, 11].map((index) => credentialWithStatus(issuer, bitstringEntry(index))),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom(...CHARS),
        fc.integer({ min: 0, max: 1 }),
        async (position, replacement, which) => {
          const tampered = mutate(list, position, replacement)
          const result = await verify(inputs[which], {
            statusLists: createStatusListResolver({ lists: { [LIST_URL]: tampered } }),
          })
          if (result.status !== undefined && result.status.length > 0)
            expect(result.status[0]?.value).toBe(which === 0 ? 1 : 0)
          if (result.verified) expect(which).toBe(1)
        },
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    )
  })
})
