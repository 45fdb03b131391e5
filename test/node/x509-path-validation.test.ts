// RFC 5280 path validation of x5c chains (src/x509/path-validation.ts through keyFromX5c), with
// chains made at test time by the openssl CLI (test/node/fixtures/x509-chains.ts): the good root →
// intermediate → leaf chain validates; each broken chain is refused with the code of the rule it
// breaks. Where pkijs' CertificateChainValidationEngine does not enforce a rule (pathLenConstraint,
// the leaf's keyUsage, x5c order, a critical extension of the leaf, name constraints of two CAs),
// the broken chain here is what proves credsign's own check: each of those cases validates when
// credsign's check is taken out.
import { beforeAll, describe, expect, it } from 'vitest'
import type { ErrorCode } from 'credsign'
import { loadX509 } from '../../src/x509/lazy.js'
import { makeTestChains, type MadeCert, type TestChains } from './fixtures/x509-chains.js'

let chains: TestChains
const DAY = 86_400_000

beforeAll(() => {
  chains = makeTestChains()
}, 60_000)

const x5cOf = (chain: MadeCert[]): string[] => chain.map((certificate) => certificate.x5c)

async function validate(
  chain: MadeCert[] | unknown,
  anchors: (string | Uint8Array)[] | null = [chains.root.pem],
  now = Date.now(),
) {
  const x509 = await loadX509()
  const made = Array.isArray(chain) && chain.every((entry) => typeof entry === 'object')
  return x509.keyFromX5c(
    made && (chain as unknown[]).length > 0 ? x5cOf(chain as MadeCert[]) : chain,
    anchors ?? undefined,
    now,
  )
}

async function refusal(promise: Promise<unknown>): Promise<ErrorCode | 'resolved'> {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    return (error as { code: ErrorCode }).code
  }
}

describe('x5c path validation: the good chain', () => {
  it('validates to the root and returns the leaf key, SAN and an x5t#S256 id', async () => {
    const key = await validate(chains.good)
    expect(key.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' })
    expect(key.leaf.subjectAltName?.dns).toEqual(['issuer.example'])
    expect(key.anchor.subject).toBe('CN=credsign test root')
    expect(key.id).toMatch(/^x5t#S256:[A-Za-z0-9_-]{43}$/)
  })

  it('anchors as a PEM bundle, as DER, among others: all work', async () => {
    const { decodePem } = await import('../../src/keys/pem.js')
    const der = decodePem(chains.root.pem)[0]?.der as Uint8Array
    for (const anchors of [
      [chains.otherRoot.pem + chains.root.pem],
      [der],
      [chains.otherRoot.pem, chains.root.pem],
    ])
      expect((await validate(chains.good, anchors)).anchor.subject).toBe('CN=credsign test root')
  })

  it('a second validation is served from the cache, never outside the validity of the path', async () => {
    const first = await validate(chains.good, [chains.root.pem], Date.now() + 1000)
    const again = await validate(chains.good, [chains.root.pem], Date.now() + 2000)
    expect(again.cached).toBe(true)
    expect(again.id).toBe(first.id)
    expect(
      await refusal(validate(chains.good, [chains.root.pem], Date.now() + 20 * 365 * DAY)),
    ).toBe('certificate_expired')
  })
})

describe('x5c is never trusted on its own', () => {
  it('no anchors, or none: trust_anchors_not_configured', async () => {
    expect(await refusal(validate(chains.good, null))).toBe('trust_anchors_not_configured')
    expect(await refusal(validate(chains.good, []))).toBe('trust_anchors_not_configured')
  })

  it('a chain of another root: certificate_untrusted', async () => {
    expect(await refusal(validate(chains.foreignChain))).toBe('certificate_untrusted')
  })

  it('a bad trust anchor is a caller error: invalid_argument', async () => {
    expect(await refusal(validate(chains.good, ['not a certificate']))).toBe('invalid_argument')
  })

  it('x5c not an array of base64 DER certificates: malformed / certificate_invalid', async () => {
    for (const [x5c, code] of [
      ['MIIB', 'malformed'],
      [[], 'malformed'],
      [[1], 'malformed'],
      [new Array(11).fill('AAAA'), 'malformed'],
      [['%%%'], 'certificate_invalid'],
      [['AAAA'], 'certificate_invalid'],
      [[chains.leaf.pem], 'certificate_invalid'],
    ] as const)
      expect(await refusal(validate(x5c)), JSON.stringify(x5c).slice(0, 40)).toBe(code)
  })
})

describe('x5c path validation: each broken chain is refused with the code of its rule', () => {
  const cases: [string, () => MadeCert[], ErrorCode, number?][] = [
    [
      'expired leaf (valid one day, checked three days later)',
      () => chains.shortLived,
      'certificate_expired',
      3 * DAY,
    ],
    [
      'not yet valid (checked a day before issue)',
      () => chains.good,
      'certificate_not_yet_valid',
      -DAY,
    ],
    [
      'leaf keyUsage without digitalSignature',
      () => chains.leafWrongKeyUsage,
      'certificate_key_usage',
    ],
    ['CA without keyCertSign', () => chains.caWithoutKeyCertSign, 'certificate_key_usage'],
    ['CA:FALSE intermediate', () => chains.intermediateNotCa, 'certificate_not_ca'],
    [
      'pathLenConstraint 0 with an intermediate below',
      () => chains.pathLenExceeded,
      'certificate_path_length',
    ],
    [
      'leaf outside the permitted DNS subtree',
      () => chains.nameConstraintViolated,
      'certificate_name_constraints',
    ],
    ['leaf self-signed', () => chains.selfSignedLeaf, 'certificate_self_signed'],
    [
      'trust anchor included in x5c',
      () => [...chains.good, chains.root],
      'certificate_anchor_included',
    ],
    [
      'wrong order (intermediate first)',
      () => [chains.intermediate, chains.leaf],
      'certificate_chain_order',
    ],
    [
      'a certificate off the path appended',
      () => [...chains.good, chains.otherRoot],
      'certificate_chain_order',
    ],
    [
      'unknown critical extension in the leaf',
      () => chains.unknownCriticalExtension,
      'certificate_critical_extension',
    ],
  ]
  for (const [name, chain, code, shift] of cases) {
    it(`${name}: ${code}`, async () => {
      expect(await refusal(validate(chain(), [chains.root.pem], Date.now() + (shift ?? 0)))).toBe(
        code,
      )
    })
  }

  it('a self-signed leaf configured as the anchor itself: certificate_anchor_included', async () => {
    const [selfSigned] = chains.selfSignedLeaf as [MadeCert]
    expect(await refusal(validate([selfSigned], [selfSigned.pem]))).toBe(
      'certificate_anchor_included',
    )
  })

  it('an intermediate cannot widen its root’s name constraints (pkijs alone accepts this chain)', async () => {
    const { root, chain } = chains.nameConstraintWidened
    expect(await refusal(validate(chain, [root.pem]))).toBe('certificate_name_constraints')
  })

  it('an expired trust anchor: certificate_expired', async () => {
    expect(await refusal(validate(chains.good, [chains.root.pem], Date.now() + 3651 * DAY))).toBe(
      'certificate_expired',
    )
  })
})
