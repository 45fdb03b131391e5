/**
 * Project Wycheproof JWS and JWK vectors (json_web_signature_test.json, json_web_key_test.json;
 * Apache-2.0, copies in test/fixtures/vectors/wycheproof/) through the JOSE layer: `verifyJws` with
 * the group's public key (`key`) or its JWK Set (`jwks`). Runs on the backend of the project
 * (`node`: Node's WebCrypto, `node-backend`: node:crypto, `browser`: Chromium's WebCrypto).
 *
 * Every vector runs. Those whose JWS `alg` credsign does not verify are listed in
 * UNSUPPORTED_ALGORITHMS with the reason (HMAC): none of them may be accepted, whatever Wycheproof
 * expects of a library that has the algorithm. For every other vector: `valid` accepted, `invalid`
 * refused. Counts: docs/wycheproof.md.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { verifyJws, type PublicJwk } from '../../src/index.js'
import { fromB64u } from '../../src/util/bytes.js'
import {
  autoBackendName,
  emptyTally,
  record,
  verdictOf,
  type JoseFile,
  type JoseGroup,
  type JoseVector,
} from './wycheproof-helpers.js'
import jwsFile from '../fixtures/vectors/wycheproof/json_web_signature_test.json' with { type: 'json' }
import jwkFile from '../fixtures/vectors/wycheproof/json_web_key_test.json' with { type: 'json' }

/** JWS algorithms of the vectors that credsign does not verify, and why. */
const UNSUPPORTED_ALGORITHMS: Readonly<Record<string, string>> = {
  HS256: 'HMAC (symmetric keys): credsign verifies asymmetric signatures only',
  HS384: 'HMAC (symmetric keys): credsign verifies asymmetric signatures only',
  HS512: 'HMAC (symmetric keys): credsign verifies asymmetric signatures only',
}

/**
 * Valid vectors credsign refuses on purpose, by file and tcId. RFC 7520's examples (Figures 20 and
 * 27) sign PS384 and ES512 with keys whose JWK `alg` says `PS256` and `ES521` (a name no registry
 * has): credsign never verifies with a key whose `alg` names another algorithm than the header's
 * (RFC 7517 section 4.4; it is what stops algorithm confusion), so they are
 * `algorithm_not_allowed`.
 */
const JUSTIFIED_REFUSALS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  'json_web_signature_test.json': Object.fromEntries(
    [346, 347, 350, 351].map((tcId) => [
      tcId,
      "the key's JWK alg names another algorithm than the header's alg (PS256 key for PS384, ES521 key for ES512)",
    ]),
  ),
}

/** The `alg` of a compact JWS's protected header, or undefined when it does not decode. */
function headerAlg(jws: unknown): string | undefined {
  if (typeof jws !== 'string') return undefined
  try {
    const header = JSON.parse(new TextDecoder().decode(fromB64u(jws.split('.')[0] ?? ''))) as {
      alg?: unknown
    }
    return typeof header.alg === 'string' ? header.alg : undefined
  } catch {
    return undefined
  }
}

/** The `alg` of the group's key (a JWK, or the first key of a JWK Set). */
function keyAlg(group: JoseGroup): string | undefined {
  const key = (group.public ?? group.private) as
    { alg?: unknown; keys?: { alg?: unknown }[] } | undefined
  const alg = key?.keys?.[0]?.alg ?? key?.alg
  return typeof alg === 'string' ? alg : undefined
}

/**
 * Why a vector is of a kind credsign does not verify: by its header `alg`, or, when the header does
 * not decode (the base64 group mangles it on purpose), by its key's `alg`.
 */
function skipReason(group: JoseGroup, vector: JoseVector): string | undefined {
  const alg = headerAlg(vector.jws) ?? keyAlg(group)
  return alg === undefined ? undefined : UNSUPPORTED_ALGORITHMS[alg]
}

const summary: string[] = []
afterAll(() => {
  if (summary.length > 0) console.log(`Wycheproof JOSE vectors:\n${summary.join('\n')}`)
})

interface JoseRun {
  name: string
  file: JoseFile
  /** The verification options for a group: its public key, or its JWK Set. */
  keyOption: (group: JoseGroup) => { key: PublicJwk } | { jwks: { keys: PublicJwk[] } }
}

const RUNS: readonly JoseRun[] = [
  {
    name: 'json_web_signature_test.json',
    file: jwsFile as JoseFile,
    // HMAC groups only have `private` (the symmetric key): passed as is, it must be refused.
    keyOption: (group) => ({ key: (group.public ?? group.private) as unknown as PublicJwk }),
  },
  {
    name: 'json_web_key_test.json',
    file: jwkFile as JoseFile,
    // Each group is a JWK Set: `public` where it has asymmetric keys, else `private` (HMAC).
    keyOption: (group) => ({
      jwks: (group.public ?? group.private) as unknown as { keys: PublicJwk[] },
    }),
  },
]

describe.each(RUNS)('Wycheproof $name through verifyJws', ({ name, file, keyOption }) => {
  it('every supported valid vector accepted, every invalid and every unsupported one refused', async () => {
    const tally = emptyTally()
    const counts = { valid: 0, invalid: 0, acceptable: 0, skipped: 0 }
    for (const group of file.testGroups) {
      for (const vector of group.tests) {
        const reason = skipReason(group, vector) ?? JUSTIFIED_REFUSALS[name]?.[vector.tcId]
        if (reason === undefined) counts[vector.result]++
        else counts.skipped++
        record(
          tally,
          vector,
          await verdictOf(async () => (await verifyJws(vector.jws, keyOption(group)), true)),
          reason,
        )
      }
    }
    const label = await autoBackendName('P-256')
    summary.push(
      `  ${name} [${label}]: valid accepted ${tally.validAccepted}/${counts.valid}, invalid refused ${tally.invalidRefused}/${counts.invalid}, ` +
        `acceptable ${tally.acceptableAccepted}/${tally.acceptableRefused}, unsupported alg refused ${tally.skippedRefused}/${counts.skipped}, wrong ${tally.wrong.length}`,
    )
    expect(tally.wrong).toEqual([])
    expect(tally.validAccepted).toBe(counts.valid)
    expect(tally.invalidRefused).toBe(counts.invalid)
    expect(tally.acceptableAccepted + tally.acceptableRefused).toBe(counts.acceptable)
    expect(tally.skippedRefused).toBe(counts.skipped)
    expect(counts.valid + counts.invalid + counts.acceptable + counts.skipped).toBe(
      file.numberOfTests,
    )
  })
})
