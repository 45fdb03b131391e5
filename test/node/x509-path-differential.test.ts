// Differential property test of x5c path validation (src/x509/path-validation.ts through
// keyFromX5c, the entry the other x509 tests use) against OpenSSL's `openssl verify -x509_strict`.
// Generated chains (root → 0..2 intermediates → leaf, P-256, made by the openssl CLI at test time)
// vary basicConstraints, keyUsage, extKeyUsage, validity (expired, not yet valid, to the second at
// the edges), a critical unknown extension, name constraints (DNS / URI, permitted / excluded),
// the leaf's subjectAltName, version 1 certificates, an issuer name spelled differently, a leaf
// signed by the wrong key, the same certificate twice, the anchor included. Each chain is judged at
// one fixed time by credsign and by OpenSSL, in two modes that compare like with like:
//
// - default: credsign without requiredExtendedKeyUsage against `-purpose any` (OpenSSL then checks
//   no extKeyUsage at all; credsign's own default rule, checkPathExtendedKeyUsage, only refuses
//   more);
// - clientAuth: credsign with requiredExtendedKeyUsage [clientAuth] against `-purpose sslclient`
//   (OpenSSL then requires clientAuth in the leaf's extKeyUsage when it has one, and in every CA's
//   that has one: credsign's required-purpose rule for the leaf and the CAs).
//
// The property: when credsign accepts, OpenSSL accepts too. Every error OpenSSL reports on a chain
// credsign accepted must be one of DOCUMENTED_DIFFERENCES below, each a place where RFC 5280's path
// validation (section 6) sides with credsign; anything else is a finding, collected (the hunt goes
// on) and failing the test at the end. Where credsign is stricter than OpenSSL (HAIP, or its own
// documented rules), nothing is asserted: the tally at the end names those refusals by code.
//
// Seeded: FC_SEED overrides the seed, FC_RUNS the number of generated chains. Chains found
// interesting are kept in REGRESSIONS and run every time.
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { CredsignError } from '../../src/errors/credsign-error.js'
import { loadX509 } from '../../src/x509/lazy.js'
import { DOCUMENTED_CODES } from '../core/documented-codes.js'
import type { MadeCert } from './fixtures/x509-chains.js'
import { DatedChainMaker, type DatedKey } from './fixtures/x509-dated-chains.js'

const SEED = Number(process.env.FC_SEED ?? 20_261_207)
const RUNS = Number(process.env.FC_RUNS ?? 120)

/** The verification time of every case: 2030-06-15T12:00:00Z, whole seconds (OpenSSL's -attime). */
const NOW_S = Date.UTC(2030, 5, 15, 12, 0, 0) / 1000
const DAY_S = 86_400
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
const MDL_DS = '1.0.18013.5.1.2'

type Role = 'root' | 'int0' | 'int1' | 'leaf'
type Validity =
  | 'usual'
  | 'expired'
  | 'notYetValid'
  | 'endsNow'
  | 'endedSecondAgo'
  | 'startsNow'
  | 'startsInSecond'
type BasicConstraints =
  | 'absent'
  | 'ca'
  | 'ca-noncritical'
  | 'ca-pathlen0'
  | 'ca-pathlen1'
  | 'not-ca'
  | 'not-ca-noncritical'
type KeyUsage = 'usual' | 'absent' | 'noncritical' | 'lacking' | 'extra'
type ExtKeyUsage =
  | 'absent'
  | 'any'
  | 'serverAuth'
  | 'clientAuth'
  | 'mdl'
  | 'clientAuth+mdl'
  | 'serverAuth+clientAuth'
type SubjectAltName = 'none' | 'dns+uri' | 'dns' | 'uri-port' | 'sub' | 'other'
/**
 * The subject DN around the role's common name: plain, under an organization (first RDN), under a
 * country then the organization, or with an emailAddress attribute (RFC 5280 4.2.1.10: rfc822Name
 * constraints apply to it when there is no subjectAltName).
 */
type Subject =
  | 'plain'
  | 'org-good'
  | 'org-evil'
  | 'org-evil-upper'
  | 'country-org-good'
  | 'email-good'
  | 'email-evil'
interface NameConstraint {
  mode: 'permitted' | 'excluded'
  form: 'DNS' | 'URI' | 'email' | 'dirName'
  /** For dirName: the organization of the one-RDN subtree (O=credsign <value>). */
  value: string
}
type Change =
  | { field: 'basicConstraints'; value: BasicConstraints }
  | { field: 'keyUsage'; value: KeyUsage }
  | { field: 'extKeyUsage'; value: ExtKeyUsage }
  | { field: 'validity'; value: Validity }
  | { field: 'subjectAltName'; value: SubjectAltName }
  | { field: 'subject'; value: Subject }
  | { field: 'nameConstraints'; value: NameConstraint }
  | { field: 'policy'; value: Policy }
  | { field: 'criticalUnknown' }
  | { field: 'version1' }
interface Deviation {
  target: Role
  change: Change
}
/**
 * Certificate policies (RFC 5280 section 6.1 policy processing, pkijs' in credsign, OpenSSL's with
 * -policy_check): a policy of the certificate (p1, p2, anyPolicy), with policyConstraints
 * requireExplicitPolicy 0 or 1, inhibitAnyPolicy 0, or a mapping of p1 to p2.
 */
type Policy = 'p1' | 'p2' | 'any' | 'require0-p1' | 'require1-p1' | 'inhibitAny0' | 'map-p1-p2'
const POLICY_OID = { p1: '1.3.6.1.4.1.55555.10.1', p2: '1.3.6.1.4.1.55555.10.2' }
const POLICY_LINES: Record<Policy, string[]> = {
  p1: [`certificatePolicies=${POLICY_OID.p1}`],
  p2: [`certificatePolicies=${POLICY_OID.p2}`],
  any: ['certificatePolicies=2.5.29.32.0'],
  'require0-p1': [
    `certificatePolicies=${POLICY_OID.p1}`,
    'policyConstraints=critical,requireExplicitPolicy:0',
  ],
  'require1-p1': [
    `certificatePolicies=${POLICY_OID.p1}`,
    'policyConstraints=critical,requireExplicitPolicy:1',
  ],
  inhibitAny0: ['certificatePolicies=2.5.29.32.0', 'inhibitAnyPolicy=critical,0'],
  'map-p1-p2': [
    `certificatePolicies=${POLICY_OID.p1}`,
    `policyMappings=critical,${POLICY_OID.p1}:${POLICY_OID.p2}`,
  ],
}

/** Changes to the chain as a whole, applied to the leaf's issuer or to the x5c list. */
type Twist =
  | 'none'
  | 'wrong-key'
  | 'issuer-case'
  | 'issuer-printable'
  | 'issuer-other'
  | 'duplicate-leaf'
  | 'duplicate-top'
  | 'anchor-included'
  | 'swapped'
  | 'self-issued'
interface ChainSpec {
  intermediates: 0 | 1 | 2
  /**
   * The leaf's extKeyUsage before the deviations (absent when left out): drawn on its own, so the
   * clientAuth mode, which needs clientAuth in the leaf, reaches accepts.
   */
  leafExtKeyUsage?: ExtKeyUsage
  deviations: Deviation[]
  twist: Twist
}

/** What one certificate of a chain is, after the deviations. */
interface CertPlan {
  role: Role
  basicConstraints: BasicConstraints
  keyUsage: KeyUsage
  extKeyUsage: ExtKeyUsage
  validity: Validity
  subjectAltName: SubjectAltName
  subject: Subject
  nameConstraints: NameConstraint | undefined
  policy: Policy | undefined
  criticalUnknown: boolean
  version1: boolean
}

function basePlan(role: Role): CertPlan {
  return {
    role,
    basicConstraints: role === 'leaf' ? 'not-ca' : 'ca',
    keyUsage: 'usual',
    extKeyUsage: 'absent',
    validity: 'usual',
    subjectAltName: role === 'leaf' ? 'dns+uri' : 'none',
    subject: 'plain',
    nameConstraints: undefined,
    policy: undefined,
    criticalUnknown: false,
    version1: false,
  }
}

function planOf(role: Role, spec: ChainSpec): CertPlan {
  const plan = basePlan(role)
  if (role === 'leaf') plan.extKeyUsage = spec.leafExtKeyUsage ?? 'absent'
  for (const { target, change } of spec.deviations) {
    if (target !== role) continue
    if (change.field === 'criticalUnknown') plan.criticalUnknown = true
    else if (change.field === 'version1') plan.version1 = true
    else (plan as unknown as Record<string, unknown>)[change.field] = change.value
  }
  return plan
}

const isCa = (plan: CertPlan): boolean => !plan.version1 && plan.basicConstraints.startsWith('ca')

function subjectOf(plan: CertPlan): string {
  const cn = `/CN=credsign diff ${plan.role}`
  return {
    plain: cn,
    'org-good': `/O=credsign good${cn}`,
    'org-evil': `/O=credsign evil${cn}`,
    // The excluded organization in other case: RFC 5280 7.1 compares names case-insensitively.
    'org-evil-upper': `/O=CREDSIGN Evil${cn}`,
    'country-org-good': `/C=XX/O=credsign good${cn}`,
    'email-good': `${cn}/emailAddress=x@issuer.example`,
    'email-evil': `${cn}/emailAddress=x@evil.example`,
  }[plan.subject]
}

const VALIDITY: Record<Validity, [number, number]> = {
  usual: [NOW_S - 365 * DAY_S, NOW_S + 365 * DAY_S],
  expired: [NOW_S - 365 * DAY_S, NOW_S - DAY_S],
  notYetValid: [NOW_S + DAY_S, NOW_S + 365 * DAY_S],
  endsNow: [NOW_S - 365 * DAY_S, NOW_S],
  endedSecondAgo: [NOW_S - 365 * DAY_S, NOW_S - 1],
  startsNow: [NOW_S, NOW_S + 365 * DAY_S],
  startsInSecond: [NOW_S + 1, NOW_S + 365 * DAY_S],
}

const SAN_LINES: Record<SubjectAltName, string | undefined> = {
  none: undefined,
  'dns+uri': 'subjectAltName=DNS:issuer.example,URI:https://issuer.example',
  dns: 'subjectAltName=DNS:issuer.example',
  'uri-port': 'subjectAltName=URI:https://user@issuer.example:8443/path',
  sub: 'subjectAltName=DNS:a.issuer.example,URI:https://a.issuer.example',
  other: 'subjectAltName=DNS:other.example,URI:https://other.example',
}

const EKU_LINES: Record<ExtKeyUsage, string | undefined> = {
  absent: undefined,
  any: 'extendedKeyUsage=anyExtendedKeyUsage',
  serverAuth: 'extendedKeyUsage=serverAuth',
  clientAuth: 'extendedKeyUsage=clientAuth',
  mdl: `extendedKeyUsage=${MDL_DS}`,
  'clientAuth+mdl': `extendedKeyUsage=clientAuth,${MDL_DS}`,
  'serverAuth+clientAuth': 'extendedKeyUsage=serverAuth,clientAuth',
}

const BC_LINES: Record<BasicConstraints, string | undefined> = {
  absent: undefined,
  ca: 'basicConstraints=critical,CA:TRUE',
  'ca-noncritical': 'basicConstraints=CA:TRUE',
  'ca-pathlen0': 'basicConstraints=critical,CA:TRUE,pathlen:0',
  'ca-pathlen1': 'basicConstraints=critical,CA:TRUE,pathlen:1',
  'not-ca': 'basicConstraints=critical,CA:FALSE',
  'not-ca-noncritical': 'basicConstraints=CA:FALSE',
}

function keyUsageLine(plan: CertPlan): string | undefined {
  const ca = plan.role !== 'leaf'
  const bits = {
    usual: ca ? 'keyCertSign,cRLSign' : 'digitalSignature',
    noncritical: ca ? 'keyCertSign,cRLSign' : 'digitalSignature',
    // A CA without keyCertSign; a leaf without digitalSignature.
    lacking: ca ? 'digitalSignature,cRLSign' : 'keyAgreement',
    // keyCertSign on a leaf (not a CA): RFC 5280 4.2.1.3 wants cA then.
    extra: ca ? 'digitalSignature,keyCertSign,cRLSign' : 'digitalSignature,keyCertSign',
    absent: undefined,
  }[plan.keyUsage]
  if (bits === undefined) return undefined
  return `keyUsage=${plan.keyUsage === 'noncritical' ? '' : 'critical,'}${bits}`
}

/**
 * The extension lines of `plan` (`issuerPlan`: its issuer's, undefined when self-signed); undefined
 * for a version 1 certificate (no extensions).
 */
function extensionLines(plan: CertPlan, issuerPlan: CertPlan | undefined): string[] | undefined {
  if (plan.version1) return undefined
  const nc = plan.nameConstraints
  return [
    BC_LINES[plan.basicConstraints],
    keyUsageLine(plan),
    EKU_LINES[plan.extKeyUsage],
    SAN_LINES[plan.subjectAltName],
    nc === undefined
      ? undefined
      : `nameConstraints=critical,${nc.mode};${nc.form}:${nc.form === 'dirName' ? 'nc_dir' : nc.value}`,
    ...(plan.policy === undefined ? [] : POLICY_LINES[plan.policy]),
    plan.criticalUnknown ? '1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:credsign test' : undefined,
    'subjectKeyIdentifier=hash',
    // A version 1 issuer has no subjectKeyIdentifier to name.
    issuerPlan === undefined || issuerPlan.version1 ? undefined : 'authorityKeyIdentifier=keyid',
    // The directoryName of a dirName constraint: a config section, after the extension lines.
    ...(nc?.form === 'dirName' ? ['[nc_dir]', `O=credsign ${nc.value}`] : []),
  ].filter((line): line is string => line !== undefined)
}

/** A generated chain made: x5c (leaf first), the anchor, and the plan of each path position. */
interface BuiltCase {
  x5c: MadeCert[]
  root: MadeCert
  /** Plans by OpenSSL depth on the intended path: leaf, intermediates, root. */
  plans: CertPlan[]
}

let maker: DatedChainMaker

function build(spec: ChainSpec): BuiltCase {
  const rootPlan = planOf('root', spec)
  const plans: Partial<Record<Role, CertPlan>> = { root: rootPlan }
  const make = (
    plan: CertPlan,
    issuer: { cert: MadeCert; key: DatedKey } | undefined,
    subject = subjectOf(plan),
  ) => {
    const [notBefore, notAfter] = VALIDITY[plan.validity]
    plans[plan.role] = plan
    return maker.make({
      subject,
      key: plan.role,
      issuer,
      extensions: extensionLines(
        plan,
        issuer === undefined ? undefined : (plans[issuer.key as Role] ?? basePlan('root')),
      ),
      notBefore,
      notAfter,
    })
  }
  const root = make(rootPlan, undefined)
  const intermediateRoles = (['int0', 'int1'] as const).slice(0, spec.intermediates)
  const intermediatePlans = intermediateRoles.map((role) => planOf(role, spec))
  // Top down: the last intermediate is issued by the root, each other one by the one above it.
  let issuer: { cert: MadeCert; key: DatedKey; plan: CertPlan } = {
    cert: root,
    key: 'root',
    plan: rootPlan,
  }
  const intermediates: MadeCert[] = []
  for (const plan of [...intermediatePlans].reverse()) {
    // self-issued: int0 under its issuer's own name, with its own key (a CA key rollover; RFC 5280
    // does not count it in pathLenConstraint nor check its names against name constraints).
    const cert =
      spec.twist === 'self-issued' && plan.role === 'int0'
        ? make(plan, issuer, subjectOf(issuer.plan))
        : make(plan, issuer)
    intermediates.unshift(cert)
    issuer = { cert, key: plan.role, plan }
  }
  const leafIssuer = twistedIssuer(spec.twist, issuer)
  const leafPlan = planOf('leaf', spec)
  const leaf = make(leafPlan, leafIssuer)
  const chain = [leaf, ...intermediates]
  const x5c =
    {
      'duplicate-leaf': [leaf, leaf, ...intermediates],
      'duplicate-top': [...chain, chain[chain.length - 1] as MadeCert],
      'anchor-included': [...chain, root],
      swapped: intermediates.length === 2 ? [leaf, ...[...intermediates].reverse()] : chain,
    }[spec.twist as string] ?? chain
  return { x5c, root, plans: [leafPlan, ...intermediatePlans, rootPlan] }
}

/**
 * The certificate that signs the leaf: its real issuer, or a twin of it: the same subject over the
 * `wrong` key, or the same key under a subject spelled differently (upper case, the same text as
 * PrintableString, another name). The twin never enters x5c: the leaf then names an issuer DN that
 * is not byte for byte the subject of x5c[1], or is signed by a key x5c[1] does not hold.
 */
function twistedIssuer(
  twist: Twist,
  issuer: { cert: MadeCert; key: DatedKey; plan: CertPlan },
): { cert: MadeCert; key: DatedKey } {
  const subject = subjectOf(issuer.plan)
  const twin = (key: DatedKey, name: string, strings: 'utf8' | 'printable' = 'utf8') => ({
    cert: maker.make({
      subject: name,
      key,
      extensions: extensionLines(basePlan('root'), undefined),
      notBefore: VALIDITY.usual[0],
      notAfter: VALIDITY.usual[1],
      strings,
    }),
    key,
  })
  switch (twist) {
    case 'wrong-key':
      return twin('wrong', subject)
    case 'issuer-case':
      return twin(issuer.key, subject.replace(/credsign diff/, 'CREDSIGN DIFF'))
    case 'issuer-printable':
      return twin(issuer.key, subject, 'printable')
    case 'issuer-other':
      return twin(issuer.key, '/CN=credsign diff elsewhere')
    default:
      return issuer
  }
}

// ---------------------------------------------------------------------------------------------
// The two verdicts.

type Mode = 'default' | 'clientAuth'

/** Credsign's verdict: undefined when it accepts, else its error code. */
async function credsignVerdict(built: BuiltCase, mode: Mode): Promise<string | undefined> {
  const x509 = await loadX509()
  try {
    await x509.keyFromX5c(
      built.x5c.map((cert) => cert.x5c),
      [built.root.pem],
      NOW_S * 1000,
      mode === 'clientAuth' ? { requiredExtendedKeyUsage: [CLIENT_AUTH] } : {},
    )
    return undefined
  } catch (error) {
    if (!(error instanceof CredsignError)) throw error
    return error.code
  }
}

interface OpensslError {
  code: number
  depth: number
  message: string
}

/** OpenSSL's verdict: every error `openssl verify` lists (none: it accepts). */
function opensslVerdict(built: BuiltCase, mode: Mode): OpensslError[] {
  const [leaf, ...untrusted] = built.x5c as [MadeCert, ...MadeCert[]]
  const leafFile = maker.writeBundle('leaf.pem', [leaf])
  const rootFile = maker.writeBundle('anchor.pem', [built.root])
  // -policy_check with the user-initial-policy-set anyPolicy (RFC 5280 section 6.1.1 (c)), as pkijs
  // runs it for credsign: without -policy OpenSSL's set is empty, and a path whose policy is
  // required explicitly fails, against the RFC.
  const args = ['verify', '-x509_strict', '-policy_check', '-policy', '2.5.29.32.0']
  args.push('-attime', String(NOW_S), '-no-CApath', '-no-CAstore')
  args.push('-purpose', mode === 'clientAuth' ? 'sslclient' : 'any', '-CAfile', rootFile)
  if (untrusted.length > 0) args.push('-untrusted', maker.writeBundle('untrusted.pem', untrusted))
  args.push(leafFile)
  let output: string
  try {
    output = execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
    if (output.includes(': OK')) return []
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer }
    output = `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`
  }
  const errors = [...output.matchAll(/error (\d+) at (\d+) depth lookup: ?(.*)/g)].map((match) => ({
    code: Number(match[1]),
    depth: Number(match[2]),
    message: match[3] ?? '',
  }))
  // A refusal whose reason could not be read is kept as one: never read as an accept.
  return errors.length > 0 ? errors : [{ code: -1, depth: -1, message: output.slice(0, 300) }]
}

// ---------------------------------------------------------------------------------------------
// Where OpenSSL refuses a chain credsign accepts, and RFC 5280 sides with credsign. Each entry
// names the OpenSSL error, the certificate it must be about, and the reason; any other OpenSSL
// error on a chain credsign accepted is a finding.

/** The whole case, for a difference about the path OpenSSL built rather than one certificate. */
interface DifferenceContext {
  spec: ChainSpec
  leaf: CertPlan
  errors: readonly OpensslError[]
}

interface DocumentedDifference {
  name: string
  /** Whether OpenSSL's `error` is this difference, for the certificate `plan` at its depth. */
  matches(error: OpensslError, plan: CertPlan, mode: Mode, context: DifferenceContext): boolean
}

const DOCUMENTED_DIFFERENCES: DocumentedDifference[] = [
  {
    // RFC 5280 section 4.1.2.5: "the period of time from notBefore through notAfter, inclusive".
    // OpenSSL's X509_cmp_time reads a notAfter equal to the verification time as past.
    name: 'notAfter equal to now: valid (RFC 5280 4.1.2.5, inclusive); OpenSSL says expired',
    matches: (error, plan) => error.code === 10 && plan.validity === 'endsNow',
  },
  {
    // -x509_strict's checks of RFC 5280 section 4 profile rules for conforming CAs (critical
    // basicConstraints, keyUsage present in a CA certificate, keyCertSign only with cA): section 6
    // path validation does not check them, nor does OpenSSL without -x509_strict, nor Go.
    name: 'x509_strict profile check (RFC 5280 section 4, not checked by section 6)',
    matches: (error, plan) =>
      (error.code === 89 && plan.basicConstraints === 'ca-noncritical') ||
      (error.code === 92 && isCa(plan) && plan.keyUsage === 'absent') ||
      (error.code === 82 && !isCa(plan) && plan.keyUsage === 'extra') ||
      // pathLenConstraint in a certificate whose keyUsage lacks keyCertSign (a leaf that says
      // CA:TRUE with a pathLen, keyUsage digitalSignature): RFC 5280 4.2.1.9 tells CAs not to
      // write it; a leaf's pathLen limits nothing.
      (error.code === 81 && plan.basicConstraints.startsWith('ca-pathlen')),
  },
  {
    // RFC 5280 section 6.1.1 (d): the trust anchor is an input (a name and a key) configured by
    // the relying party, not a certificate of the path: its basicConstraints, keyUsage and
    // critical extensions are not processed (credsign still applies its validity, pathLen, name
    // constraints and extKeyUsage, as OpenSSL does). OpenSSL checks the root as a CA certificate.
    name: 'the trust anchor judged as a certificate (RFC 5280 6.1.1 (d): it is an input)',
    matches: (error, plan) =>
      plan.role === 'root' &&
      (error.code === 79 || error.code === 34 || error.code === 89 || error.code === 92),
  },
  {
    // RFC 5280 section 4.2.1.12: an application requiring a purpose MAY reject anyExtendedKeyUsage;
    // it defines no extKeyUsage on CAs at all. credsign (like Go's crypto/x509) reads a CA's
    // anyExtendedKeyUsage as leaving the purpose open; OpenSSL's sslclient purpose refuses it.
    name: 'a CA with only anyExtendedKeyUsage under a required purpose (RFC 5280: MAY reject)',
    matches: (error, plan, mode) =>
      mode === 'clientAuth' &&
      error.code === 26 &&
      plan.role !== 'leaf' &&
      plan.extKeyUsage === 'any',
  },
  {
    // A leaf without authorityKeyIdentifier (version 1) under a self-issued intermediate names the
    // trust anchor's subject as its issuer: OpenSSL tries the anchor first (trusted-first), its
    // signature fails, and it does not go on to x5c's intermediate of the same name. The path x5c
    // gives (leaf, intermediate, anchor) is valid by RFC 5280 section 6; every error OpenSSL lists
    // then is about its own two-certificate path (depth 1 is the anchor, not x5c[1]).
    name: 'OpenSSL path building: the anchor tried for a leaf of a self-issued intermediate',
    matches: (_error, _plan, _mode, { spec, leaf, errors }) =>
      spec.twist === 'self-issued' &&
      leaf.version1 &&
      errors.some((error) => error.code === 7 && error.depth === 0),
  },
]

// ---------------------------------------------------------------------------------------------
// The property.

interface Tally {
  cases: number
  bothAccept: number
  /** Both accepted, by mode: each mode must reach accepts. */
  acceptedByMode: Map<string, number>
  bothRefuse: number
  /** Credsign refused, OpenSSL accepted: by credsign's code. */
  credsignOnly: Map<string, number>
  /** The first chain of each credsign-only refusal code, printed with the tally. */
  credsignOnlyExample: Map<string, string>
  documented: Map<string, number>
  /** Credsign accepted, OpenSSL refused, unexplained: the wrong accepts. */
  findings: string[]
}
const newTally = (): Tally => ({
  cases: 0,
  bothAccept: 0,
  acceptedByMode: new Map(),
  bothRefuse: 0,
  credsignOnly: new Map(),
  credsignOnlyExample: new Map(),
  documented: new Map(),
  findings: [],
})
const count = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1)
}

async function checkCase(spec: ChainSpec, tally: Tally): Promise<void> {
  const built = build(spec)
  for (const mode of ['default', 'clientAuth'] as const) {
    tally.cases += 1
    const ours = await credsignVerdict(built, mode)
    if (ours !== undefined) expect(DOCUMENTED_CODES, `undocumented code ${ours}`).toContain(ours)
    const openssl = opensslVerdict(built, mode)
    if (ours !== undefined) {
      if (openssl.length === 0) {
        count(tally.credsignOnly, `${mode}: ${ours}`)
        if (!tally.credsignOnlyExample.has(ours))
          tally.credsignOnlyExample.set(ours, `${mode}: ${JSON.stringify(spec)}`)
      } else tally.bothRefuse += 1
      continue
    }
    if (openssl.length === 0) {
      tally.bothAccept += 1
      count(tally.acceptedByMode, mode)
      continue
    }
    const unexplained: OpensslError[] = []
    for (const error of openssl) {
      const plan = built.plans[error.depth]
      const difference =
        plan === undefined
          ? undefined
          : DOCUMENTED_DIFFERENCES.find((entry) =>
              entry.matches(error, plan, mode, {
                spec,
                leaf: built.plans[0] as CertPlan,
                errors: openssl,
              }),
            )
      if (difference === undefined) unexplained.push(error)
      else count(tally.documented, difference.name)
    }
    if (unexplained.length > 0)
      tally.findings.push(
        `credsign accepts, OpenSSL refuses (${mode}): ${JSON.stringify(unexplained)}\n  chain: ${JSON.stringify(spec)}`,
      )
    else {
      tally.bothAccept += 1
      count(tally.acceptedByMode, mode)
    }
  }
}

function report(name: string, tally: Tally, started: number): void {
  console.info(
    `[x509-path-differential] ${name}: ${tally.cases} verdicts in ${Date.now() - started} ms (seed ${SEED}, ${maker.issued} certificates made); both accept ${tally.bothAccept} ${JSON.stringify(Object.fromEntries(tally.acceptedByMode))} (documented differences ${JSON.stringify(Object.fromEntries(tally.documented))}), both refuse ${tally.bothRefuse}, credsign-only refusals ${JSON.stringify(Object.fromEntries(tally.credsignOnly))}, findings ${tally.findings.length}`,
  )
  if (process.env.FC_VERBOSE !== undefined)
    for (const [code, example] of tally.credsignOnlyExample)
      console.info(`[x509-path-differential] credsign-only ${code}: ${example}`)
}

function expectNoFindings(tally: Tally): void {
  expect(
    tally.findings.length,
    `${tally.findings.length} chain(s) credsign accepts and OpenSSL refuses; first:\n${tally.findings.slice(0, 10).join('\n')}`,
  ).toBe(0)
}

// ---------------------------------------------------------------------------------------------
// Generators: a good chain, then 0..3 deviations of single certificates, and sometimes a twist.

const roleArb = fc.constantFrom<Role>('root', 'int0', 'int0', 'int1', 'leaf', 'leaf')
const nameConstraintArb: fc.Arbitrary<NameConstraint> = fc
  .record({
    mode: fc.constantFrom('permitted' as const, 'excluded' as const),
    form: fc.constantFrom('DNS' as const, 'URI' as const, 'email' as const, 'dirName' as const),
    // Around issuer.example, the leaf's name: itself, a parent domain, a label-boundary trap
    // ("suer.example"), a leading-dot subdomain form, other case, another name, a mailbox; for
    // dirName the organization (good / evil).
    value: fc.constantFrom(
      'issuer.example',
      'example',
      '.example',
      'suer.example',
      '.issuer.example',
      'ISSUER.Example',
      'other.example',
      'x@issuer.example',
      'evil.example',
    ),
  })
  .map((constraint) =>
    constraint.form !== 'dirName'
      ? constraint
      : { ...constraint, value: constraint.value.includes('evil') ? 'evil' : 'good' },
  )
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    field: fc.constant('basicConstraints' as const),
    value: fc.constantFrom<BasicConstraints>(
      'absent',
      'ca',
      'ca-noncritical',
      'ca-pathlen0',
      'ca-pathlen1',
      'not-ca',
      'not-ca-noncritical',
    ),
  }),
  fc.record({
    field: fc.constant('keyUsage' as const),
    value: fc.constantFrom<KeyUsage>('absent', 'noncritical', 'lacking', 'extra'),
  }),
  fc.record({
    field: fc.constant('extKeyUsage' as const),
    value: fc.constantFrom<ExtKeyUsage>(
      'any',
      'serverAuth',
      'clientAuth',
      'mdl',
      'clientAuth+mdl',
      'serverAuth+clientAuth',
    ),
  }),
  fc.record({
    field: fc.constant('validity' as const),
    value: fc.constantFrom<Validity>(
      'expired',
      'notYetValid',
      'endsNow',
      'endedSecondAgo',
      'startsNow',
      'startsInSecond',
    ),
  }),
  fc.record({
    field: fc.constant('subjectAltName' as const),
    value: fc.constantFrom<SubjectAltName>('none', 'dns', 'uri-port', 'sub', 'other'),
  }),
  fc.record({
    field: fc.constant('subject' as const),
    value: fc.constantFrom<Subject>(
      'org-good',
      'org-evil',
      'org-evil-upper',
      'country-org-good',
      'email-good',
      'email-evil',
    ),
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      field: fc.constant('nameConstraints' as const),
      value: nameConstraintArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      field: fc.constant('policy' as const),
      value: fc.constantFrom<Policy>(
        'p1',
        'p2',
        'any',
        'require0-p1',
        'require1-p1',
        'inhibitAny0',
        'map-p1-p2',
      ),
    }),
  },
  fc.constant<Change>({ field: 'criticalUnknown' }),
  fc.constant<Change>({ field: 'version1' }),
)
const twistArb: fc.Arbitrary<Twist> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Twist>('none') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Twist>(
      'wrong-key',
      'issuer-case',
      'issuer-printable',
      'issuer-other',
      'duplicate-leaf',
      'duplicate-top',
      'anchor-included',
      'swapped',
      'self-issued',
    ),
  },
)
const chainSpecArb: fc.Arbitrary<ChainSpec> = fc.record({
  intermediates: fc.constantFrom<0 | 1 | 2>(0, 1, 1, 2),
  leafExtKeyUsage: fc.constantFrom<ExtKeyUsage>(
    'absent',
    'absent',
    'clientAuth',
    'clientAuth+mdl',
    'serverAuth+clientAuth',
    'mdl',
    'serverAuth',
    'any',
  ),
  deviations: fc.array(fc.record({ target: roleArb, change: changeArb }), { maxLength: 3 }),
  twist: twistArb,
})

beforeAll(() => {
  maker = new DatedChainMaker()
}, 60_000)

describe('x5c path validation vs openssl verify -x509_strict: credsign is never looser', () => {
  it('generated chains', async () => {
    const tally = newTally()
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(chainSpecArb, async (spec) => checkCase(spec, tally)),
      { seed: SEED, numRuns: Math.max(1, Math.round(RUNS)), endOnFailure: true },
    )
    report('generated', tally, started)
    expectNoFindings(tally)
    // The generator must reach every branch: accepts by both, refusals by both, and chains only
    // credsign refuses (its stricter rules).
    expect(tally.bothAccept).toBeGreaterThan(RUNS / 10)
    expect(tally.acceptedByMode.get('clientAuth') ?? 0).toBeGreaterThan(0)
    expect(tally.bothRefuse).toBeGreaterThan(RUNS / 4)
    expect(tally.credsignOnly.size).toBeGreaterThan(0)
  }, 120_000)
})

// ---------------------------------------------------------------------------------------------
// Regression rows: chains at the edges, and counterexamples found by the property, replayed every
// run with their expected verdicts (credsign's code, or undefined for an accept) in the default
// mode; the differential property is checked on each too.

interface RegressionRow {
  name: string
  spec: ChainSpec
  credsign: string | undefined
}

const REGRESSIONS: RegressionRow[] = [
  {
    name: 'a leaf whose notAfter is the verification time is valid (RFC 5280: inclusive)',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'leaf', change: { field: 'validity', value: 'endsNow' } }],
      twist: 'none',
    },
    credsign: undefined,
  },
  {
    name: 'a leaf that expired a second before the verification time',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'leaf', change: { field: 'validity', value: 'endedSecondAgo' } }],
      twist: 'none',
    },
    credsign: 'certificate_expired',
  },
  {
    name: 'an intermediate valid from a second after the verification time',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'int0', change: { field: 'validity', value: 'startsInSecond' } }],
      twist: 'none',
    },
    credsign: 'certificate_not_yet_valid',
  },
  {
    name: 'URI constraint "example" (a host, not a domain) does not permit https://issuer.example',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'URI', value: 'example' },
          },
        },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    name: 'DNS constraint "suer.example" does not permit issuer.example (label boundary)',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'DNS', value: 'suer.example' },
          },
        },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    // OpenSSL compares names after case folding (as RFC 5280 section 7.1 allows); credsign wants
    // x5c's issuer and subject byte for byte equal (RFC 7515 4.1.6 order, checked on the DER):
    // stricter, on purpose.
    name: 'the leaf names its issuer in upper case: credsign refuses (OpenSSL matches)',
    spec: { intermediates: 1, deviations: [], twist: 'issuer-case' },
    credsign: 'certificate_chain_order',
  },
  {
    // HAIP: x5c must not contain the trust anchor. OpenSSL accepts it.
    name: 'the trust anchor included in x5c',
    spec: { intermediates: 1, deviations: [], twist: 'anchor-included' },
    credsign: 'certificate_anchor_included',
  },
  {
    // RFC 5280 6.1.4 (g): the permitted subtrees of each CA intersect. pkijs merges them (a union):
    // the intermediate's O=credsign evil widened the root's O=credsign good.
    name: 'directoryName: an intermediate cannot widen its root’s permitted subtree',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'root',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'dirName', value: 'good' },
          },
        },
        { target: 'int0', change: { field: 'subject', value: 'org-good' } },
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'dirName', value: 'evil' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'org-evil' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    // RFC 5280 4.2.1.10 / 7.1: a directoryName subtree is the names that begin with it. pkijs
    // finds the constraint's RDNs anywhere in the name (after an RDN of another type).
    name: 'directoryName: C=XX, O=credsign good, CN=… is not within O=credsign good',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'dirName', value: 'good' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'country-org-good' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    name: 'directoryName: O=credsign good, CN=… is within O=credsign good',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'dirName', value: 'good' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'org-good' } },
      ],
      twist: 'none',
    },
    credsign: undefined,
  },
  {
    name: 'directoryName: an excluded organization spelled in other case stays excluded',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'excluded', form: 'dirName', value: 'evil' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'org-evil-upper' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    // RFC 5280 4.2.1.10: with no subjectAltName, rfc822Name constraints MUST be applied to the
    // subject's emailAddress. pkijs applies only permitted ones there.
    name: 'rfc822Name: an excluded mailbox domain in the subject of a leaf without subjectAltName',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'excluded', form: 'email', value: 'evil.example' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'email-evil' } },
        { target: 'leaf', change: { field: 'subjectAltName', value: 'none' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    name: 'rfc822Name: a permitted mailbox domain in the subject of a leaf without subjectAltName',
    spec: {
      intermediates: 1,
      deviations: [
        {
          target: 'int0',
          change: {
            field: 'nameConstraints',
            value: { mode: 'permitted', form: 'email', value: 'evil.example' },
          },
        },
        { target: 'leaf', change: { field: 'subject', value: 'email-good' } },
        { target: 'leaf', change: { field: 'subjectAltName', value: 'none' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_name_constraints',
  },
  {
    // In the clientAuth mode OpenSSL refuses the intermediate (a documented difference).
    name: 'an intermediate with only anyExtendedKeyUsage above a clientAuth leaf',
    spec: {
      intermediates: 1,
      leafExtKeyUsage: 'clientAuth+mdl',
      deviations: [{ target: 'int0', change: { field: 'extKeyUsage', value: 'any' } }],
      twist: 'none',
    },
    credsign: undefined,
  },
  {
    // RFC 5280 6.1.3 (e) and 6.1.5 (b): the leaf requires an explicit policy (requireExplicitPolicy
    // 0), the intermediate asserts none, so the valid_policy_tree is empty. pkijs read the missing
    // certificatePolicies as anyPolicy and accepted; OpenSSL: "no explicit policy".
    name: 'explicit policy required by the leaf, an intermediate without certificatePolicies',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'leaf', change: { field: 'policy', value: 'require0-p1' } }],
      twist: 'none',
    },
    credsign: 'certificate_untrusted',
  },
  {
    name: 'explicit policy required by an intermediate, a leaf without certificatePolicies',
    spec: {
      intermediates: 2,
      deviations: [
        { target: 'int1', change: { field: 'policy', value: 'require0-p1' } },
        { target: 'int0', change: { field: 'policy', value: 'p1' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_untrusted',
  },
  {
    // RFC 5280 6.1.4 (b): int1 maps p1 to p2, so int0's anyPolicy yields p2 only and the leaf's p1
    // matches nothing: the valid_policy_tree is empty and the leaf requires an explicit policy.
    // pkijs accepted (it applies the mapping the other way); OpenSSL: "no explicit policy".
    name: 'explicit policy required by the leaf, p1 mapped away to p2 above it',
    spec: {
      intermediates: 2,
      deviations: [
        { target: 'int1', change: { field: 'policy', value: 'map-p1-p2' } },
        { target: 'int0', change: { field: 'policy', value: 'any' } },
        { target: 'leaf', change: { field: 'policy', value: 'require0-p1' } },
      ],
      twist: 'none',
    },
    credsign: 'certificate_untrusted',
  },
  {
    name: 'explicit policy required by the leaf, an intermediate asserting anyPolicy',
    spec: {
      intermediates: 1,
      deviations: [
        { target: 'leaf', change: { field: 'policy', value: 'require0-p1' } },
        { target: 'int0', change: { field: 'policy', value: 'any' } },
      ],
      twist: 'none',
    },
    credsign: undefined,
  },
  {
    // RFC 5280 4.2.1.9 / 6.1.4 (l): a self-issued intermediate does not count against the root's
    // pathLenConstraint 0.
    name: 'a self-issued intermediate under a root with pathLenConstraint 0',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'root', change: { field: 'basicConstraints', value: 'ca-pathlen0' } }],
      twist: 'self-issued',
    },
    credsign: undefined,
  },
  {
    name: 'a version 1 intermediate is not a CA',
    spec: {
      intermediates: 1,
      deviations: [{ target: 'int0', change: { field: 'version1' } }],
      twist: 'none',
    },
    credsign: 'certificate_not_ca',
  },
]

describe('x5c path validation vs openssl verify: regression rows', () => {
  for (const row of REGRESSIONS) {
    it(row.name, async () => {
      const tally = newTally()
      await checkCase(row.spec, tally)
      expectNoFindings(tally)
      expect(await credsignVerdict(build(row.spec), 'default')).toBe(row.credsign)
    })
  }
})
