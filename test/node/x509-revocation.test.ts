// Certificate revocation of x5c chains (src/x509/revocation.ts) through verify(), against real
// openssl CAs (`openssl ca`: index.txt, crlnumber, -revoke, -gencrl; `openssl ocsp -index` for OCSP
// responses) served by a local node:http server through the caller's fetch
// (test/node/fixtures/openssl-revocation.ts). Each broken answer is refused with its code; nothing
// is fetched unless the trust anchors carry a revocation fetch.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  SdJwtVcSigner,
  createTrustAnchors,
  verify,
  type ErrorCode,
  type RevocationOptions,
  type VerificationResult,
} from 'credsign'
import { signerOf } from './fixtures/certificate-signer.js'
import { loadX509 } from '../../src/x509/lazy.js'
import { crlCacheWeight } from '../../src/x509/revocation.js'
import {
  CA_ORIGIN,
  RevocationLab,
  type RevocationCa,
  type RevocationCert,
} from './fixtures/openssl-revocation.js'

const LEAF = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'subjectAltName=DNS:issuer.example,URI:https://issuer.example',
]
const HOUR = 3_600_000

let lab: RevocationLab
let root: RevocationCa
let int: RevocationCa
let other: RevocationCa
let renamed: RevocationCa
const certs: Record<string, RevocationCert> = {}
const crl: Record<string, Buffer> = {}
let ocspSigner = 'int'
let ocspMinutes = 24 * 60

beforeAll(async () => {
  lab = new RevocationLab()
  root = lab.root('root')
  other = lab.root('other')
  const cdp = (name: string): string => `crlDistributionPoints=URI:${CA_ORIGIN}/${name}.crl`
  const aia = `authorityInfoAccess=OCSP;URI:${CA_ORIGIN}/ocsp/int`
  int = lab.intermediate('int', root, [cdp('root')])
  const revokedInt = lab.intermediate('revoked-int', root, [cdp('root')])
  certs.int = lab.read('int')
  certs.revokedInt = lab.read('revoked-int')
  certs.leaf = int.issue('leaf', [...LEAF, cdp('int')])
  certs.revokedLeaf = int.issue('revoked-leaf', [...LEAF, cdp('int')])
  certs.pemLeaf = int.issue('pem-leaf', [...LEAF, cdp('int-pem')])
  certs.ocspLeaf = int.issue('ocsp-leaf', [...LEAF, aia])
  certs.ocspRevokedLeaf = int.issue('ocsp-revoked-leaf', [...LEAF, aia])
  certs.noPointerLeaf = int.issue('no-pointer-leaf', LEAF)
  certs.leafUnderRevokedInt = revokedInt.issue('leaf-under-revoked-int', [
    ...LEAF,
    cdp('revoked-int'),
  ])
  certs.responder = int.issue('responder', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=OCSPSigning',
  ])
  certs.notResponder = int.issue('not-responder', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ])
  const responderExtensions = (extra: string): string[] => [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=OCSPSigning',
    extra,
  ]
  // Delegated responders with a critical id-pkix-ocsp-nocheck (understood), an unknown critical
  // extension.
  int.issue('responder-nocheck', responderExtensions('1.3.6.1.5.5.7.48.1.5=critical,DER:05:00'))
  int.issue('responder-critical', responderExtensions('1.2.3.4=critical,DER:05:00'))
  // A delegated responder whose certificate ends in a day (its answers may outlive it).
  const inADay = new Date(Date.now() + 24 * HOUR).toISOString().replace(/[-:T]/g, '').slice(0, 14)
  certs.shortResponder = int.issue(
    'responder-short',
    responderExtensions('nsComment=short-lived'),
    undefined,
    `${inADay}Z`,
  )
  // An intermediate CA whose keyUsage lacks cRLSign, yet publishes a CRL (openssl signs it anyway).
  const noCrlSign = lab.intermediate('no-crl-sign', root, [cdp('root')], 'keyCertSign')
  certs.noCrlSign = lab.read('no-crl-sign')
  certs.leafUnderNoCrlSign = noCrlSign.issue('leaf-under-no-crl-sign', [
    ...LEAF,
    cdp('no-crl-sign'),
  ])
  crl.noCrlSign = noCrlSign.crl()
  // The same CA (its name and its key) certified again by the root, this time with cRLSign: both
  // certificates chain to the root, the leaf above verifies under either.
  lab.openssl([
    'req',
    '-new',
    '-key',
    'no-crl-sign.key',
    '-subj',
    '/CN=credsign revocation no-crl-sign',
    '-out',
    'no-crl-sign-twin.csr',
  ])
  lab.openssl([
    'ca',
    '-batch',
    '-config',
    root.config([
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
      cdp('root'),
    ]),
    '-extensions',
    'ext',
    '-notext',
    '-in',
    'no-crl-sign-twin.csr',
    '-out',
    'no-crl-sign-twin.pem',
  ])
  copyFileSync(join(lab.dir, 'no-crl-sign.key'), join(lab.dir, 'no-crl-sign-twin.key'))
  certs.noCrlSignTwin = lab.read('no-crl-sign-twin')
  // An intermediate and a leaf naming four CRL locations each, all of which will hang.
  const slowPoints = (name: string): string =>
    `crlDistributionPoints=${[1, 2, 3, 4].map((n) => `URI:${CA_ORIGIN}/${name}-${n}.crl`).join(',')}`
  const slowInt = lab.intermediate('slow-int', root, [slowPoints('slow-int')])
  certs.slowInt = lab.read('slow-int')
  certs.slowLeaf = slowInt.issue('slow-leaf', [...LEAF, slowPoints('slow-leaf')])
  // Serials 128 (DER 00 80) and -128 (DER 80), 129 (00 81) and -127 (81): distinct integers whose
  // bytes differ only by the sign octet; the negative ones are revoked.
  certs.ocspSerial128 = int.issueWithSerial('ocsp-serial-128', '128', [...LEAF, aia])
  certs.ocspSerialMinus128 = int.issueWithSerial('ocsp-serial-minus-128', '-128', [...LEAF, aia])
  certs.crlSerial129 = int.issueWithSerial('crl-serial-129', '129', [...LEAF, cdp('int')])
  certs.crlSerialMinus127 = int.issueWithSerial('crl-serial-minus-127', '-127', [
    ...LEAF,
    cdp('int'),
  ])
  // A second name of the intermediate's key (a CA renamed, keeping its key), with its own database:
  // serial 4660 is good under one name and revoked under the other.
  const intRenamed = lab.intermediate('int-renamed', root, [cdp('root')], undefined, 'int')
  certs.intRenamed = lab.read('int-renamed')
  certs.sameSerialUnderInt = int.issueWithSerial('same-serial-under-int', '4660', [...LEAF, aia])
  certs.sameSerialUnderRenamed = intRenamed.issueWithSerial('same-serial-under-renamed', '4660', [
    ...LEAF,
    `authorityInfoAccess=OCSP;URI:${CA_ORIGIN}/ocsp/int-renamed`,
  ])
  intRenamed.revoke(certs.sameSerialUnderRenamed)
  renamed = intRenamed
  int.revoke(certs.ocspSerialMinus128)
  int.revoke(certs.crlSerialMinus127)
  int.revoke(certs.revokedLeaf)
  int.revoke(certs.ocspRevokedLeaf)
  root.revoke(certs.revokedInt)
  crl.root = root.crl()
  crl.int = int.crl()
  // issuingDistributionPoint (RFC 5280 section 5.2.5): the scope of a CRL. A sharded CRL names its
  // own location and holds only end-entity certificates (as Let's Encrypt's do).
  const idp = (critical: boolean, lines: string[]): string[] => [
    `issuingDistributionPoint=${critical ? 'critical,' : ''}@idp`,
    '[idp]',
    ...lines,
  ]
  crl.intShard = int.crl(
    'DER',
    undefined,
    idp(true, [`fullname=URI:${CA_ORIGIN}/int.crl`, 'onlyuser=TRUE']),
  )
  crl.intOtherShard = int.crl(
    'DER',
    undefined,
    idp(true, [`fullname=URI:${CA_ORIGIN}/int-2.crl`, 'onlyuser=TRUE']),
  )
  crl.intCaOnly = int.crl('DER', undefined, idp(false, ['onlyCA=TRUE']))
  crl.intSomeReasons = int.crl('DER', undefined, idp(true, ['onlysomereasons=keyCompromise']))
  // A delta CRL (deltaCRLIndicator, raw DER: the base CRL number 999), non-critical against RFC 5280.
  crl.intDelta = int.crl('DER', undefined, ['2.5.29.27=DER:02:02:03:E7'])
  crl.intIndirect = int.crl('DER', undefined, idp(true, ['indirectCRL=TRUE']))
  crl.intPem = int.crl('PEM')
  crl.revokedInt = revokedInt.crl()
  crl.intShort = int.crl('DER', 1)
  crl.other = other.crl()
  // Last: the leaf revoked later (a CRL published after a verifier cached the one above).
  int.revoke(certs.leaf as RevocationCert)
  crl.intLeafRevoked = int.crl()
  await lab.listen()
}, 120_000)

afterAll(async () => {
  await lab?.close()
})

const DER_CRL = 'application/pkix-crl'

function serveDefaults(): void {
  lab.routes.clear()
  lab.routes.set('/root.crl', () => ({ body: crl.root as Buffer, type: DER_CRL }))
  lab.routes.set('/int.crl', () => ({ body: crl.int as Buffer, type: DER_CRL }))
  lab.routes.set('/int-pem.crl', () => ({ body: crl.intPem as Buffer, type: DER_CRL }))
  lab.routes.set('/revoked-int.crl', () => ({ body: crl.revokedInt as Buffer, type: DER_CRL }))
  lab.routes.set('/no-crl-sign.crl', () => ({ body: crl.noCrlSign as Buffer, type: DER_CRL }))
  lab.routes.set('/ocsp/int/', (path) => {
    const request = Buffer.from(decodeURIComponent(path.slice('/ocsp/int/'.length)), 'base64')
    return {
      body: int.ocsp(request, ocspSigner, ocspMinutes),
      type: 'application/ocsp-response',
    }
  })
  lab.routes.set('/ocsp/int-renamed/', (path) => {
    const request = path.slice('/ocsp/int-renamed/'.length)
    return {
      body: renamed.ocsp(Buffer.from(decodeURIComponent(request), 'base64')),
      type: 'application/ocsp-response',
    }
  })
}

beforeEach(async () => {
  serveDefaults()
  ocspSigner = 'int'
  ocspMinutes = 24 * 60
  lab.requests.length = 0
  const x509 = await loadX509()
  x509.clearRevocationCache()
  x509.clearX5cCache()
})

async function sdJwtVc(chain: RevocationCert[]): Promise<string> {
  const signer = await signerOf(chain[0] as RevocationCert)
  return new SdJwtVcSigner(signer).issue(
    { iss: 'https://issuer.example', vct: 'https://credentials.example/identity', name: 'Erika' },
    { kid: false, header: { x5c: chain.map((certificate) => certificate.x5c) } },
  )
}

async function check(
  chain: RevocationCert[],
  revocation: Partial<RevocationOptions> | null = {},
  now?: number,
): Promise<VerificationResult> {
  const trustAnchors = createTrustAnchors(
    [root.lab.read('root').pem],
    revocation === null ? {} : { revocation: { fetch: lab.fetch, ...revocation } },
  )
  return verify(await sdJwtVc(chain), {
    trustAnchors,
    ...(now === undefined ? {} : { now: new Date(now) }),
  })
}

/**
 * A fetch that holds its first request until `open()` (later ones pass at once); `started` resolves
 * when that first request is made.
 */
function heldFetch(): {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  open: () => void
  started: Promise<void>
} {
  let open = (): void => undefined
  const gate = new Promise<void>((resolve) => (open = resolve))
  let begin = (): void => undefined
  const started = new Promise<void>((resolve) => (begin = resolve))
  let first = true
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (first) {
      first = false
      begin()
      await gate
    }
    return lab.fetch(url, init)
  }
  return { fetch, open, started }
}

function codes(result: VerificationResult): ErrorCode[] {
  return result.errors.map((error) => error.code)
}

function chainDetail(result: VerificationResult): string | undefined {
  return result.checks.find((check) => check.name === 'certificate_chain')?.detail
}

describe('revocation through CRLs (openssl ca -gencrl)', () => {
  it('a chain no CA revoked verifies; both CRLs were fetched; the detail says so', async () => {
    const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert])
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    expect(chainDetail(result)).toContain('the leaf certificate good (CRL), x5c[1] good (CRL)')
    expect(lab.requests.sort()).toEqual(['/int.crl', '/root.crl'])
  })

  it('a revoked leaf is certificate_revoked', async () => {
    const result = await check([certs.revokedLeaf as RevocationCert, certs.int as RevocationCert])
    expect(codes(result)).toEqual(['certificate_revoked'])
    expect(result.verified).toBe(false)
  })

  it('a revoked intermediate (on the root CRL) is certificate_revoked', async () => {
    const result = await check([
      certs.leafUnderRevokedInt as RevocationCert,
      certs.revokedInt as RevocationCert,
    ])
    expect(codes(result)).toEqual(['certificate_revoked'])
    expect(result.errors[0]?.message).toContain('x5c[1]')
  })

  it('a PEM CRL works as the DER one does', async () => {
    const result = await check([certs.pemLeaf as RevocationCert, certs.int as RevocationCert])
    expect(result.errors).toEqual([])
  })

  it('a sharded CRL (critical issuingDistributionPoint naming this location, end-entity certificates only) answers for the leaf', async () => {
    lab.routes.set('/int.crl', () => ({ body: crl.intShard as Buffer, type: DER_CRL }))
    const good = await check([certs.leaf as RevocationCert, certs.int as RevocationCert])
    expect(good.errors).toEqual([])
    const revoked = await check([certs.revokedLeaf as RevocationCert, certs.int as RevocationCert])
    expect(codes(revoked)).toEqual(['certificate_revoked'])
  })

  it("a CRL whose issuingDistributionPoint excludes the certificate is not its list: another shard's location, CA certificates only (non-critical), some reasons only, indirect; a delta CRL (non-critical)", async () => {
    for (const [other, why] of [
      [crl.intOtherShard, /another distribution point/],
      [crl.intCaOnly, /only CA certificates/],
      [crl.intSomeReasons, /only some revocation reasons/],
      [crl.intIndirect, /indirect CRL/],
      [crl.intDelta, /delta CRL/],
    ] as const) {
      ;(await loadX509()).clearRevocationCache()
      lab.routes.set('/int.crl', () => ({ body: other as Buffer, type: DER_CRL }))
      const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert], {
        mode: 'if-available',
      })
      expect(codes(result)).toEqual(['revocation_invalid'])
      expect(result.errors[0]?.message).toMatch(why)
    }
  })

  it('a CRL with a tampered signature is revocation_invalid, in both modes', async () => {
    const tampered = Buffer.from(crl.int as Buffer)
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 5) ^ 0x01, tampered.length - 5)
    lab.routes.set('/int.crl', () => ({ body: tampered, type: DER_CRL }))
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    expect(codes(await check(chain))).toEqual(['revocation_invalid'])
    expect(codes(await check(chain, { mode: 'if-available' }))).toEqual(['revocation_invalid'])
  })

  it("another CA's CRL at the CRL location is revocation_invalid", async () => {
    lab.routes.set('/int.crl', () => ({ body: crl.other as Buffer, type: DER_CRL }))
    const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert])
    expect(codes(result)).toEqual(['revocation_invalid'])
    expect(result.errors[0]?.message).toContain('another CA')
  })

  it("a CRL location's userinfo and query (credentials, maybe) are in no message: refused before any request with userinfo, not shown with a query", async () => {
    const withUserinfo = int.issue('leaf-crl-userinfo', [
      ...LEAF,
      'crlDistributionPoints=URI:http://user:hunter2@ca.test/int.crl?token=s3cret',
    ])
    const withQuery = int.issue('leaf-crl-query', [
      ...LEAF,
      `crlDistributionPoints=URI:${CA_ORIGIN}/int.crl?token=s3cret`,
    ])
    // Another CA's CRL: revocation_invalid, whose message names the CRL's location.
    lab.routes.set('/int.crl', () => ({ body: crl.other as Buffer, type: DER_CRL }))
    const refused = await check([withUserinfo, certs.int as RevocationCert])
    expect(codes(refused)).toEqual(['revocation_unavailable'])
    expect(refused.errors[0]?.message).toContain(
      '"http://ca.test/int.crl?…": the URL carries credentials',
    )
    const invalid = await check([withQuery, certs.int as RevocationCert])
    expect(codes(invalid)).toEqual(['revocation_invalid'])
    expect(invalid.errors[0]?.message).toContain('the CRL "http://ca.test/int.crl?…" is issued by')
    for (const result of [refused, invalid])
      for (const secret of ['hunter2', 's3cret'])
        expect(JSON.stringify([result.errors, result.checks])).not.toContain(secret)
    // Only the query URL was requested (the lab's fetch never saw the userinfo one).
    expect(lab.requests).toEqual(['/int.crl?token=s3cret'])
  })

  it('the root CRL served for the intermediate (right name? no: the root is another issuer)', async () => {
    lab.routes.set('/int.crl', () => ({ body: crl.root as Buffer, type: DER_CRL }))
    const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert])
    expect(codes(result)).toEqual(['revocation_invalid'])
  })

  it('a CRL signed by a CA whose keyUsage lacks cRLSign is revocation_invalid (pkijs does not check it)', async () => {
    const result = await check([
      certs.leafUnderNoCrlSign as RevocationCert,
      certs.noCrlSign as RevocationCert,
    ])
    expect(codes(result)).toEqual(['revocation_invalid'])
    expect(result.errors[0]?.message).toContain('cRLSign')
  })

  it('a CRL verified (and cached, or shared) through one certificate of its CA with cRLSign is not taken through another of the same name and key without it', async () => {
    const leaf = certs.leafUnderNoCrlSign as RevocationCert
    // Through the certificate with cRLSign the CRL is the CA's list: good.
    expect((await check([leaf, certs.noCrlSignTwin as RevocationCert])).errors).toEqual([])
    // Through the one without, the same CRL (the same URL, issuer name and key) is refused, as it
    // is when nothing was cached before (the test above).
    const refused = await check([leaf, certs.noCrlSign as RevocationCert])
    expect(codes(refused)).toEqual(['revocation_invalid'])
    expect(refused.errors[0]?.message).toContain('cRLSign')
  })

  it('a CRL whose nextUpdate has passed at the verification time is revocation_invalid', async () => {
    lab.routes.set('/int.crl', () => ({ body: crl.intShort as Buffer, type: DER_CRL }))
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    expect((await check(chain)).errors).toEqual([])
    const later = await check(chain, {}, Date.now() + 2 * HOUR)
    expect(codes(later)).toEqual(['revocation_invalid'])
    expect(later.errors[0]?.message).toContain('nextUpdate')
  })

  it('a CRL over maxBytes is revocation_unavailable; not in if-available mode', async () => {
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    expect(codes(await check(chain, { maxBytes: 64 }))).toEqual(['revocation_unavailable'])
    const soft = await check(chain, { maxBytes: 64, mode: 'if-available' })
    expect(soft.errors).toEqual([])
    expect(chainDetail(soft)).toContain('not checked (unavailable)')
  })

  it('a server that never answers: revocation_unavailable after timeoutMs', async () => {
    lab.routes.set('/int.crl', () => 'hang')
    const started = Date.now()
    const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert], {
      timeoutMs: 300,
    })
    expect(codes(result)).toEqual(['revocation_unavailable'])
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('one verification spends at most two timeouts on revocation, whatever the number of locations', async () => {
    for (const name of ['slow-int', 'slow-leaf'])
      for (const n of [1, 2, 3, 4]) lab.routes.set(`/${name}-${n}.crl`, () => 'hang')
    const chain = [certs.slowLeaf as RevocationCert, certs.slowInt as RevocationCert]
    // if-available: an unanswered certificate does not end the check, so without a budget all 8
    // locations (4 per certificate) were tried one after another, each for timeoutMs.
    const result = await check(chain, { timeoutMs: 200, mode: 'if-available' })
    expect(result.errors).toEqual([])
    expect(chainDetail(result)).toContain('not checked (unavailable)')
    const slow = lab.requests.filter((path) => path.startsWith('/slow-'))
    expect(slow.length).toBeGreaterThanOrEqual(1)
    expect(slow.length).toBeLessThanOrEqual(3)
    // In require mode the first unanswered certificate ends it.
    lab.requests.length = 0
    expect(codes(await check(chain, { timeoutMs: 200 }))).toEqual(['revocation_unavailable'])
  })

  it('a redirect is not followed: revocation_unavailable', async () => {
    const redirecting = (url: string, init: RequestInit): Promise<Response> =>
      lab
        .fetch(url, init)
        .then(() => new Response(null, { status: 302, headers: { location: '/x' } }))
    const result = await check([certs.leaf as RevocationCert, certs.int as RevocationCert], {
      fetch: redirecting,
    })
    expect(codes(result)).toEqual(['revocation_unavailable'])
  })
})

describe('revocation through OCSP (openssl ocsp -index)', () => {
  const ocspChain = (): RevocationCert[] => [
    certs.ocspLeaf as RevocationCert,
    certs.int as RevocationCert,
  ]

  it('good, signed by the CA itself', async () => {
    const result = await check(ocspChain())
    expect(result.errors).toEqual([])
    expect(chainDetail(result)).toContain('the leaf certificate good (OCSP)')
    expect(lab.requests.some((path) => path.startsWith('/ocsp/int/'))).toBe(true)
  })

  it('revoked is certificate_revoked', async () => {
    const result = await check([
      certs.ocspRevokedLeaf as RevocationCert,
      certs.int as RevocationCert,
    ])
    expect(codes(result)).toEqual(['certificate_revoked'])
  })

  it('signed by a delegated responder the CA issued with id-kp-OCSPSigning: accepted', async () => {
    ocspSigner = 'responder'
    expect((await check(ocspChain())).errors).toEqual([])
  })

  it('a responder named by key hash (responderID byKey), the CA or a delegated responder: accepted', async () => {
    for (const signer of ['int', 'responder']) {
      lab.routes.set('/ocsp/int/', (path) => {
        const request = Buffer.from(decodeURIComponent(path.slice('/ocsp/int/'.length)), 'base64')
        return {
          body: int.ocsp(request, signer, 60, { keyId: true }),
          type: 'application/ocsp-response',
        }
      })
      ;(await loadX509()).clearRevocationCache()
      const result = await check(ocspChain())
      expect(result.errors, signer).toEqual([])
      expect(chainDetail(result)).toContain('good (OCSP)')
    }
  })

  it('signed by a certificate of the CA without id-kp-OCSPSigning: revocation_invalid', async () => {
    ocspSigner = 'not-responder'
    const result = await check(ocspChain())
    expect(codes(result)).toEqual(['revocation_invalid'])
    expect(result.errors[0]?.message).toContain('OCSPSigning')
  })

  it('a delegated responder certificate: a critical id-pkix-ocsp-nocheck is accepted, an unknown critical extension is revocation_invalid', async () => {
    ocspSigner = 'responder-nocheck'
    expect((await check(ocspChain())).errors).toEqual([])
    ;(await loadX509()).clearRevocationCache()
    ocspSigner = 'responder-critical'
    const result = await check(ocspChain())
    expect(codes(result)).toEqual(['revocation_invalid'])
    expect(result.errors[0]?.message).toContain('critical extension 1.2.3.4')
  })

  it('a cached answer is not reused at a time its delegated responder is not valid: fetched again and refused', async () => {
    ocspSigner = 'responder-short'
    ocspMinutes = 10 * 24 * 60 // the answer itself is fresh for ten days
    try {
      ;(await loadX509()).clearRevocationCache()
      expect((await check(ocspChain())).errors).toEqual([])
      const fetches = lab.requests.filter((path) => path.startsWith('/ocsp/int/')).length
      // Two days on, the answer is still within its nextUpdate, but its signer expired a day ago.
      const later = Date.now() + 48 * HOUR
      const result = await check(ocspChain(), {}, later)
      expect(codes(result)).toEqual(['revocation_invalid'])
      expect(result.errors[0]?.message).toContain('expired')
      expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/')).length).toBe(fetches + 1)
      // At a time the responder is valid, the answer cached first still serves.
      expect((await check(ocspChain())).errors).toEqual([])
    } finally {
      ocspMinutes = 24 * 60
    }
  })

  it('signed by another CA (the wrong issuer): revocation_invalid', async () => {
    ocspSigner = 'other'
    expect(codes(await check(ocspChain()))).toEqual(['revocation_invalid'])
  })

  it('an answer whose nextUpdate has passed at the verification time: revocation_invalid', async () => {
    ocspMinutes = 60
    const result = await check(ocspChain(), {}, Date.now() + 2 * HOUR)
    expect(codes(result)).toEqual(['revocation_invalid'])
    expect(result.errors[0]?.message).toContain('out of date')
  })

  it('a tampered response signature: revocation_invalid', async () => {
    lab.routes.set('/ocsp/int/', (path) => {
      const request = Buffer.from(decodeURIComponent(path.slice('/ocsp/int/'.length)), 'base64')
      const body = Buffer.from(int.ocsp(request, 'int', 60, { noCerts: true }))
      body.writeUInt8(body.readUInt8(body.length - 3) ^ 0x01, body.length - 3)
      return { body, type: 'application/ocsp-response' }
    })
    expect(codes(await check(ocspChain()))).toEqual(['revocation_invalid'])
  })
})

describe('serial numbers: a negative serial is another certificate than the positive one of the same bytes', () => {
  it('OCSP: a cached good for serial 128 is not reused for the revoked serial -128', async () => {
    const good = await check([certs.ocspSerial128 as RevocationCert, certs.int as RevocationCert])
    expect(good.errors).toEqual([])
    const revoked = await check([
      certs.ocspSerialMinus128 as RevocationCert,
      certs.int as RevocationCert,
    ])
    expect(codes(revoked)).toEqual(['certificate_revoked'])
  })

  it('CRL: the entry of -127 revokes -127 and not 129', async () => {
    const revoked = await check([
      certs.crlSerialMinus127 as RevocationCert,
      certs.int as RevocationCert,
    ])
    expect(codes(revoked)).toEqual(['certificate_revoked'])
    const good = await check([certs.crlSerial129 as RevocationCert, certs.int as RevocationCert])
    expect(good.errors).toEqual([])
  })
})

describe('modes, the default and the caches', () => {
  it("an OCSP answer cached for one CA is not another's: the same key under another name, the same serial", async () => {
    const underInt = [certs.sameSerialUnderInt as RevocationCert, certs.int as RevocationCert]
    expect((await check(underInt)).errors).toEqual([])
    const underRenamed = [
      certs.sameSerialUnderRenamed as RevocationCert,
      certs.intRenamed as RevocationCert,
    ]
    expect(codes(await check(underRenamed))).toEqual(['certificate_revoked'])
  })

  it('without revocation configured nothing is fetched, even for certificates with CRL and OCSP locations', async () => {
    const result = await check(
      [certs.revokedLeaf as RevocationCert, certs.int as RevocationCert],
      null,
    )
    expect(result.errors).toEqual([])
    expect(result.verified).toBe(true)
    expect(lab.requests).toEqual([])
  })

  it("'require': a certificate without CRL or OCSP location is revocation_unavailable; 'if-available' passes it", async () => {
    const chain = [certs.noPointerLeaf as RevocationCert, certs.int as RevocationCert]
    const required = await check(chain)
    expect(codes(required)).toEqual(['revocation_unavailable'])
    expect(required.errors[0]?.message).toContain('names no CRL distribution point')
    const soft = await check(chain, { mode: 'if-available' })
    expect(soft.errors).toEqual([])
    expect(chainDetail(soft)).toContain(
      'the leaf certificate not checked (no CRL or OCSP location)',
    )
  })

  it('a CRL is fetched once and reused until it expires', async () => {
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    await check(chain)
    await check(chain)
    expect(lab.requests.filter((path) => path === '/int.crl')).toHaveLength(1)
    await check(chain, { cacheMs: 0 })
    await check(chain, { cacheMs: 0 })
    expect(lab.requests.filter((path) => path === '/int.crl')).toHaveLength(3)
  })

  it('the CRL cache counts what its CRLs hold against its total bound (16 MiB)', async () => {
    expect(crlCacheWeight()).toBe(0)
    await check([certs.leaf as RevocationCert, certs.int as RevocationCert])
    // Two CRLs (root.crl, int.crl): 256 each, and 64 plus the hex length per revoked serial.
    const weight = crlCacheWeight()
    expect(weight).toBeGreaterThan(2 * 256 + 64)
    expect(weight).toBeLessThan(16 * 1024 * 1024)
    ;(await loadX509()).clearRevocationCache()
    expect(crlCacheWeight()).toBe(0)
  })

  it("a CRL cached under one caller's cacheMs is not reused past another caller's shorter cacheMs", async () => {
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    expect((await check(chain, { cacheMs: HOUR })).errors).toEqual([])
    lab.routes.set('/int.crl', () => ({ body: crl.intLeafRevoked as Buffer, type: DER_CRL }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    // This verifier reuses an answer for 10 ms at most: the CRL published since revokes the leaf.
    expect(codes(await check(chain, { cacheMs: 10 }))).toEqual(['certificate_revoked'])
  })

  it("an OCSP answer cached under one caller's cacheMs is not reused past another caller's shorter cacheMs", async () => {
    const chain = [certs.ocspLeaf as RevocationCert, certs.int as RevocationCert]
    expect((await check(chain, { cacheMs: HOUR })).errors).toEqual([])
    const before = lab.requests.filter((path) => path.startsWith('/ocsp/')).length
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await check(chain, { cacheMs: 10 })).errors).toEqual([])
    expect(lab.requests.filter((path) => path.startsWith('/ocsp/')).length).toBe(before + 1)
  })

  it('concurrent verifications share one CRL fetch', async () => {
    const chain = [certs.leaf as RevocationCert, certs.int as RevocationCert]
    const results = await Promise.all([check(chain), check(chain), check(chain)])
    for (const result of results) expect(result.errors).toEqual([])
    expect(lab.requests.filter((path) => path === '/int.crl')).toHaveLength(1)
  })

  it('concurrent verifications of one certificate share one OCSP request (8 verifications, 1 request)', async () => {
    const chain = [certs.ocspLeaf as RevocationCert, certs.int as RevocationCert]
    // Every request reaches the responder 100 ms late: all 8 verifications are under way meanwhile.
    const late = async (url: string, init: RequestInit): Promise<Response> => {
      await new Promise((resolve) => setTimeout(resolve, 100))
      return lab.fetch(url, init)
    }
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => check(chain, { fetch: late })),
    )
    for (const result of results) {
      expect(result.errors).toEqual([])
      expect(chainDetail(result)).toContain('the leaf certificate good (OCSP)')
    }
    expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/'))).toHaveLength(1)
    // A revoked answer is shared the same way, and means revoked for each.
    const revoked = [certs.ocspRevokedLeaf as RevocationCert, certs.int as RevocationCert]
    const refused = await Promise.all(
      Array.from({ length: 4 }, async () => check(revoked, { fetch: late })),
    )
    for (const result of refused) expect(codes(result)).toEqual(['certificate_revoked'])
    expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/'))).toHaveLength(2)
  })

  it("a shared OCSP answer is judged at each verification's own time: its delegated responder expired at one, valid at the other", async () => {
    ocspSigner = 'responder-short'
    ocspMinutes = 10 * 24 * 60 // the answer itself is fresh for ten days
    try {
      const chain = [certs.ocspLeaf as RevocationCert, certs.int as RevocationCert]
      const late = async (url: string, init: RequestInit): Promise<Response> => {
        await new Promise((resolve) => setTimeout(resolve, 100))
        return lab.fetch(url, init)
      }
      // Two days on the responder certificate has expired; now it is valid. Whichever verification
      // fetches, the other's verdict is its own.
      const [later, current] = await Promise.all([
        check(chain, { fetch: late }, Date.now() + 48 * HOUR),
        check(chain, { fetch: late }),
      ])
      expect(codes(later as VerificationResult)).toEqual(['revocation_invalid'])
      expect(later?.errors[0]?.message).toContain('expired')
      expect(current?.errors).toEqual([])
      expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/'))).toHaveLength(1)
    } finally {
      ocspMinutes = 24 * 60
    }
  })

  it('a shared OCSP failure is not cached: the next verification asks the responder again', async () => {
    const chain = [certs.ocspLeaf as RevocationCert, certs.int as RevocationCert]
    lab.routes.set('/ocsp/int/', () => ({
      body: new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00]),
      type: 'application/ocsp-response',
    }))
    const late = async (url: string, init: RequestInit): Promise<Response> => {
      await new Promise((resolve) => setTimeout(resolve, 100))
      return lab.fetch(url, init)
    }
    const failed = await Promise.all(
      Array.from({ length: 4 }, async () => check(chain, { fetch: late })),
    )
    for (const result of failed) expect(codes(result)).toEqual(['revocation_invalid'])
    expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/'))).toHaveLength(1)
    serveDefaults()
    expect((await check(chain)).errors).toEqual([])
    expect(lab.requests.filter((path) => path.startsWith('/ocsp/int/'))).toHaveLength(2)
  })

  for (const kind of ['CRL', 'OCSP'] as const) {
    const chain = (): RevocationCert[] => [
      (kind === 'CRL' ? certs.leaf : certs.ocspLeaf) as RevocationCert,
      certs.int as RevocationCert,
    ]
    const fetchesOf = (): string[] =>
      lab.requests.filter((path) =>
        kind === 'CRL' ? path === '/int.crl' : path.startsWith('/ocsp/int/'),
      )

    it(`a verification waiting for another's ${kind} fetch stops at its own timeout, with its own fetch's error; the fetch goes on for the other`, async () => {
      const held = heldFetch()
      // Opens anyway after 4 s: without its own deadline the waiter would wait until then.
      const safety = setTimeout(held.open, 4_000)
      const patient = check(chain(), { fetch: held.fetch, timeoutMs: 30_000 })
      try {
        await held.started
        const started = Date.now()
        const hasty = await check(chain(), { timeoutMs: 300 })
        expect(codes(hasty)).toEqual(['revocation_unavailable'])
        expect(hasty.errors[0]?.message).toContain('no complete response within 300 ms')
        expect(Date.now() - started).toBeLessThan(2_000)
        held.open()
        expect((await patient).errors).toEqual([])
        expect(fetchesOf()).toHaveLength(1)
      } finally {
        clearTimeout(safety)
        held.open()
        // Settled here, whatever failed: it must not fill the cache under the next test.
        await patient
      }
    })

    it(`a verification that joined another's ${kind} fetch, which failed on that one's own limits (its shorter timeout, its fetch), is not failed by it: it fetches on its own`, async () => {
      const held = heldFetch()
      // The first verification's fetch never answers in its 1 s (its own fetch function and
      // timeout); the second's, a working fetch with 30 s, would answer at once.
      const hasty = check(chain(), { fetch: held.fetch, timeoutMs: 1_000 })
      try {
        await held.started
        const patient = await check(chain(), { timeoutMs: 30_000 })
        expect(patient.errors).toEqual([])
        expect(codes(await hasty)).toEqual(['revocation_unavailable'])
      } finally {
        held.open()
        await hasty
      }
    })

    it(`a verification that joined another's ${kind} fetch, which brought an answer that does not verify, takes that refusal: it fetches nothing of its own`, async () => {
      // Another CA's CRL; an OCSP response that is not a DER OCSPResponse. Both revocation_invalid.
      if (kind === 'CRL')
        lab.routes.set('/int.crl', () => ({ body: crl.other as Buffer, type: DER_CRL }))
      else
        lab.routes.set('/ocsp/int/', () => ({
          body: new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00]),
          type: 'application/ocsp-response',
        }))
      const held = heldFetch()
      const safety = setTimeout(held.open, 4_000)
      const first = check(chain(), { fetch: held.fetch, timeoutMs: 30_000 })
      try {
        await held.started
        // Joins the held fetch (a working fetch of its own would be answered at once).
        const joiner = check(chain(), { timeoutMs: 30_000 })
        await new Promise((resolve) => setTimeout(resolve, 50))
        held.open()
        const [own, joined] = [await first, await joiner]
        expect(codes(own)).toEqual(['revocation_invalid'])
        expect(codes(joined)).toEqual(['revocation_invalid'])
        expect(joined.errors[0]?.message).toBe(own.errors[0]?.message)
        expect(fetchesOf()).toHaveLength(1)
      } finally {
        clearTimeout(safety)
        held.open()
        await first
      }
    })

    it(`cacheMs: 0 joins no ${kind} fetch that began before its check did, cacheMs: 10 none begun more than 10 ms before: each fetches its own`, async () => {
      for (const cacheMs of [0, 10]) {
        ;(await loadX509()).clearRevocationCache()
        lab.requests.length = 0
        const held = heldFetch()
        const safety = setTimeout(held.open, 4_000)
        const first = check(chain(), { fetch: held.fetch, timeoutMs: 30_000 })
        try {
          await held.started
          await new Promise((resolve) => setTimeout(resolve, 50))
          const started = Date.now()
          expect((await check(chain(), { cacheMs })).errors, `cacheMs ${cacheMs}`).toEqual([])
          expect(Date.now() - started).toBeLessThan(2_000)
          held.open()
          expect((await first).errors).toEqual([])
          expect(fetchesOf(), `cacheMs ${cacheMs}`).toHaveLength(2)
        } finally {
          clearTimeout(safety)
          held.open()
          await first
        }
      }
    })
  }

  it('a cached chain is not a shortcut past revocation: revoked after the first verify, refused on the next', async () => {
    const leaf = int.issue('late-revoked-leaf', [
      ...LEAF,
      `crlDistributionPoints=URI:${CA_ORIGIN}/int.crl`,
    ])
    const chain = [leaf, certs.int as RevocationCert]
    const first = await check(chain)
    expect(first.errors).toEqual([])
    int.revoke(leaf)
    const newer = int.crl()
    lab.routes.set('/int.crl', () => ({ body: newer, type: DER_CRL }))
    // The old CRL's cache entry ends (as at its nextUpdate); the validated chain stays cached.
    ;(await loadX509()).clearRevocationCache()
    const second = await check(chain)
    expect(codes(second)).toEqual(['certificate_revoked'])
  })

  it('createTrustAnchors refuses malformed revocation options', () => {
    const pem = lab.read('root').pem
    expect(() => createTrustAnchors([pem], { revocation: {} as RevocationOptions })).toThrow(
      /revocation.fetch/,
    )
    expect(() =>
      createTrustAnchors([pem], {
        revocation: { fetch: lab.fetch, mode: 'soft' as 'require' },
      }),
    ).toThrow(/mode/)
    expect(() =>
      createTrustAnchors([pem], { revocation: { fetch: lab.fetch, maxBytes: 0 } }),
    ).toThrow(/maxBytes/)
  })
})
