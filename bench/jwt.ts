/**
 * JWT-VC signing and verification next to jose's SignJWT / jwtVerify, with the same key and the
 * same credential, in one run. Used by bench/run.ts; run alone with `npx tsx bench/jwt.ts`.
 *
 * Both sides get a key that is already imported/unlocked: jose a KeyLike from the same PKCS#8,
 * credsign an unlocked vault key. credsign's verify() does everything a verifier must (format, typ,
 * algorithm, key resolution through a resolver, issuer binding, validity); jose's jwtVerify is
 * given the key directly, so the comparison favours jose.
 */
import { SignJWT, importJWK, importPKCS8, jwtVerify, type CryptoKey as JoseKey } from 'jose'
import type * as Credsign from '../src/index.js'
import type { KeyAlgorithm } from '../src/index.js'

export interface BenchTools {
  opsPerSecond: (fn: () => Promise<unknown> | unknown, seconds?: number) => Promise<number>
  fmt: (n: number, digits?: number) => string
}

const credential = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2',
  ],
  id: 'urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33',
  type: ['VerifiableCredential', 'ExampleAlumniCredential'],
  validFrom: '2023-01-01T00:00:00Z',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    alumniOf: { id: 'did:example:c276e12ec21ebfeb1f712ebc6f1', name: 'Example University' },
  },
}

/**
 * The algorithms of the table: every curve jose signs with, and one RSA key per scheme (PS256,
 * RS256).
 */
const ALGORITHMS: readonly KeyAlgorithm[] = [
  'Ed25519',
  'P-256',
  'P-384',
  'P-521',
  'RSA-PSS',
  'RS256',
]

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`
}

/**
 * Measures one backend (whatever `lib` has installed: the plain entry is WebCrypto/noble, the node
 * entry node:crypto) for every algorithm jose also signs with.
 */
export async function benchJwt(
  lib: typeof Credsign,
  label: string,
  tools: BenchTools,
): Promise<string[]> {
  const { opsPerSecond, fmt } = tools
  const rows: string[] = []
  const { generateKeyPair } = await import('../src/keys/generate.js')
  for (const algorithm of ALGORITHMS) {
    const vault = new lib.KeyVault({
      store: new lib.MemoryStore(),
      serviceSecret: new Uint8Array(32).fill(9),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    const material = await generateKeyPair(algorithm, { modulusLength: 2048 })
    const pkcs8 = new Uint8Array(material.pkcs8)
    // An RSA PKCS#8 names no scheme: the import says which algorithm the key signs with.
    await vault.import({ id: 'bench', secrets: ['s'], key: { pkcs8: material.pkcs8, algorithm } })
    const signer = lib.asDidSigner(await vault.unlock('bench', ['s']))
    const issuer = signer.id.split('#')[0]!
    const vc = { ...credential, issuer }
    const vcSigner = new lib.JwtVcSigner(signer)

    const alg = lib.jwsAlgorithm(algorithm)
    const joseKey = (await importPKCS8(pem(pkcs8), alg)) as JoseKey
    const josePublic = (await importJWK({ ...signer.publicJwk }, alg)) as JoseKey
    const joseSign = () =>
      new SignJWT(vc as unknown as Record<string, unknown>)
        .setProtectedHeader({ alg, typ: 'vc+jwt', cty: 'vc', kid: signer.id })
        .setIssuer(issuer)
        .sign(joseKey)

    const ourJwt = await vcSigner.sign(vc)
    const check = await lib.verify(ourJwt)
    if (!check.verified)
      throw new Error(`bench setup: our token does not verify: ${JSON.stringify(check.errors)}`)
    await jwtVerify(ourJwt, josePublic) // and jose agrees

    const signOurs = await opsPerSecond(() => vcSigner.sign(vc))
    const signJose = await opsPerSecond(joseSign)
    const verifyOurs = await opsPerSecond(() => lib.verify(ourJwt))
    const verifyJwtOurs = await opsPerSecond(() => lib.verifyJwt(ourJwt, { key: signer.publicJwk }))
    const verifyJose = await opsPerSecond(() => jwtVerify(ourJwt, josePublic))
    // The ceiling: the bare signature primitive on the same signing input, with zero JWS or VC work.
    // No JWT signer or verifier on this backend can beat jose by more than raw ÷ jose.
    const [h, p, sig] = ourJwt.split('.') as [string, string, string]
    const input = new TextEncoder().encode(`${h}.${p}`)
    const signature = new Uint8Array(Buffer.from(sig, 'base64url'))
    const rawSign = await opsPerSecond(() => signer.sign(input))
    const rawVerify = await opsPerSecond(() =>
      lib.verifySignature(signer.publicJwk, input, signature, { algorithm }),
    )
    rows.push(
      `| ${algorithm === 'RSA-PSS' ? 'RSA-PSS (PS256)' : algorithm} | ${label} | ${fmt(signOurs)} | ${fmt(signJose)} | **${fmt(signOurs / signJose, 2)}** | ${fmt(rawSign / signJose, 2)} | ` +
        `${fmt(verifyOurs)} | ${fmt(verifyJwtOurs)} | ${fmt(verifyJose)} | **${fmt(verifyOurs / verifyJose, 2)}** | ${fmt(rawVerify / verifyJose, 2)} |`,
    )
  }
  return rows
}

/** The table header for {@link benchJwt}'s rows. */
export const JWT_TABLE_HEADER = [
  '| algorithm | credsign backend | JwtVcSigner.sign | jose SignJWT | × | ceiling × (raw sign ÷ SignJWT) | verify() | verifyJwt | jose jwtVerify | × (verify() ÷ jwtVerify) | ceiling × (raw verify ÷ jwtVerify) |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
]
