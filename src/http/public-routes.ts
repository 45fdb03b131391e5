import { didSignerId } from '../did/as-did-signer.js'
import { isEeccCompat } from './eecc-compat.js'
import { keyIdDid } from '../did/did-url.js'
import { CredsignError } from '../errors/credsign-error.js'
import type { PublicJwk } from '../keys/types.js'
import type { KeyInfo, KeyVersionInfo } from '../vault/key-info.js'
import type { DidDocument } from '../did/did-document.js'
import { decodeSegment, json, type Route } from './route-context.js'
import type { DidWebPublication, HandlerOptions } from './options.js'
import { HttpError } from './problem.js'
import { CREDSIGN_VERSION } from './package-version.js'

/*
 * Routes that read public data only: key metadata, the JWKS, did:web documents and health. None
 * needs a caller secret; only `/keys/:id` needs authentication (it tells which key ids exist).
 */

/** `GET /keys/:id`: the key's public JWK, Multikey and versions (no secret needed). */
export const keyRoute: Route = {
  method: 'GET',
  path: '/keys/:id',
  summary: 'Public key of a key id (JWK and Multikey) and its versions.',
  successStatus: 200,
  async run({ params, options }) {
    const info = await options.vault.publicKey(params.id!)
    return json({
      id: info.id,
      algorithm: info.current.algorithm,
      publicKeyJwk: info.current.publicJwk,
      publicKeyMultibase: info.current.publicKeyMultibase,
      createdAt: info.createdAt,
      updatedAt: info.updatedAt,
      versions: info.versions,
    })
  },
}

/** `GET /.well-known/jwks.json`. */
export const jwksRoute: Route = {
  method: 'GET',
  path: '/.well-known/jwks.json',
  public: true,
  summary: 'JWKS of the published keys.',
  successStatus: 200,
  async run({ options }) {
    const selection = options.jwks ?? 'all'
    if (selection === false) throw new HttpError('route_not_found', 'this server publishes no JWKS')
    return json({ keys: await publishedJwks(options, selection, false) }, 200, {
      'cache-control': 'public, max-age=300',
    })
  },
}

/**
 * `GET /.well-known/jwt-vc-issuer[/<issuer path>]`: the SD-JWT VC "JWT VC Issuer Metadata"
 * (draft-ietf-oauth-sd-jwt-vc), `{ issuer, jwks }`, listed only when `jwtVcIssuer` is configured.
 * The draft inserts the well-known segment between the host and the issuer's path: an issuer
 * https://host/tenant is served at /.well-known/jwt-vc-issuer/tenant, and only there.
 */
export function jwtVcIssuerRoute(issuer: string): Route {
  return {
    method: 'GET',
    path: `/.well-known/jwt-vc-issuer${new URL(issuer).pathname.replace(/\/$/, '')}`,
    public: true,
    summary: 'SD-JWT VC issuer metadata: the issuer identifier and its JWKS (with x5c).',
    successStatus: 200,
    async run({ options }) {
      const selection = options.jwks ?? 'all'
      // createHandler refuses jwtVcIssuer with jwks: false.
      const keys = await publishedJwks(options, selection === false ? [] : selection, true)
      return json({ issuer, jwks: { keys } }, 200, { 'cache-control': 'public, max-age=300' })
    },
  }
}

/**
 * The published keys: every listed version under its RFC 7638 thumbprint, each key's current
 * version under its signing `kid`, and the aliases. With `withX5c`, a version that has a
 * certificate chain carries it as the JWK's `x5c` (RFC 7517 §4.7: the first certificate holds the
 * JWK's key, which `attachCertificateChain` checked).
 */
async function publishedJwks(
  options: HandlerOptions,
  selection: readonly string[] | 'all',
  withX5c: boolean,
): Promise<PublishedJwk[]> {
  // Every listed version under its RFC 7638 thumbprint (vault.jwks()), and each key's current
  // version once more under the `kid` the JWTs this service signs carry (the key id when it is a
  // DID URL, else its did:key URL: a plain key id is never published), so that a verifier
  // matching by `kid` (jose's createLocalJWKSet / createRemoteJWKSet) finds it.
  // One read per key: the public views carry both the current version and every listed one
  // (what vault.jwks() publishes), so the store is not listed twice.
  const infos =
    selection === 'all'
      ? await allKeys(options)
      : await Promise.all(selection.map((id) => options.vault.publicKey(id)))
  const current = infos.map((info) => ({
    ...withChain(info.current, withX5c),
    kid: signingKid(info.id, info.current.publicJwk),
  }))
  const keys = infos.flatMap((info) => info.versions.map((version) => withChain(version, withX5c)))
  // Labels the operator gave a key (checked at createHandler), after every key's own kids.
  // An alias of a key read above is not read again.
  const read = new Map(infos.map((info) => [info.id, info]))
  const aliases = await Promise.all(
    Object.entries(options.jwksAliases ?? {}).map(async ([alias, id]) => ({
      ...withChain((read.get(id) ?? (await options.vault.publicKey(id))).current, withX5c),
      kid: alias,
    })),
  )
  return [...current, ...keys, ...aliases]
}

type PublishedJwk = PublicJwk & { x5c?: string[] }

function withChain(version: KeyVersionInfo, withX5c: boolean): PublishedJwk {
  if (!withX5c || version.certificateChain === undefined) return version.publicJwk
  return { ...version.publicJwk, x5c: [...version.certificateChain.x5c] }
}
/**
 * The `kid` the routes sign with for a key: its id when that is a DID URL, else its did:key (see
 * `resolvableSigner`).
 */
function signingKid(id: string, publicJwk: PublicJwk): string {
  return keyIdDid(id) !== undefined ? id : didSignerId(publicJwk, 'key')
}

async function allKeys(options: HandlerOptions): Promise<KeyInfo[]> {
  const infos: KeyInfo[] = []
  let cursor: string | undefined
  do {
    const page = await options.vault.list(
      cursor === undefined ? { limit: 1000 } : { cursor, limit: 1000 },
    )
    infos.push(...page.keys)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return infos
}

/**
 * The did:web DID a request path serves (`/.well-known/did.json` → host, `/a/b/did.json` →
 * host:a:b), if configured. @internal
 */
export function didWebFor(options: HandlerOptions, url: URL): DidWebPublication | undefined {
  const published = options.didWeb
  if (published === undefined || published.length === 0) return undefined
  const path = url.pathname
  if (!path.endsWith('/did.json')) return undefined
  const host = encodeURIComponent(url.host) // did:web writes a port's colon as %3A
  let did: string
  if (path === '/.well-known/did.json') did = `did:web:${host}`
  else {
    const segments = path.slice(1, -'/did.json'.length).split('/')
    if (segments.some((s) => s === '' || decodeSegment(s) === undefined)) return undefined
    did = `did:web:${host}:${segments.join(':')}`
  }
  // A configured DID is served whatever the Host header says when there is only one with this path
  // (behind a proxy, Host is often the internal name); otherwise the host must match.
  const exact = published.find((p) => p.did === did)
  if (exact !== undefined) return exact
  const suffix = did.slice(`did:web:${host}`.length)
  const samePath = published.filter(
    (p) => p.did.split(':').slice(3).join(':') === suffix.replace(/^:/, ''),
  )
  return samePath.length === 1 ? samePath[0] : undefined
}

/**
 * The DID document of a published did:web DID: every configured key as a verification method.
 *
 * @internal
 */
export async function didWebDocument(
  options: HandlerOptions,
  publication: DidWebPublication,
): Promise<DidDocument> {
  let merged: DidDocument | undefined
  for (const keyId of publication.keyIds) {
    const document = await options.vault.didDocument(keyId, {
      method: 'controller',
      verificationMethodType: publication.verificationMethodType ?? 'Multikey',
    })
    if (document.id !== publication.did)
      throw new CredsignError(
        'invalid_argument',
        `key ${keyId.slice(0, 100)} is not a key of ${publication.did}`,
      )
    if (merged === undefined) {
      merged = structuredClone(document)
      continue
    }
    const target = merged as unknown as Record<string, unknown>
    for (const [member, value] of Object.entries(document as unknown as Record<string, unknown>)) {
      if (!Array.isArray(value)) continue
      const list = (Array.isArray(target[member]) ? target[member] : []) as unknown[]
      for (const entry of value) {
        const serialized = JSON.stringify(entry)
        if (!list.some((existing) => JSON.stringify(existing) === serialized)) list.push(entry)
      }
      target[member] = list
    }
  }
  if (merged === undefined) throw new CredsignError('not_found', 'the DID has no keys configured')
  return merged
}

/** The Terminus-shaped health body the origin service answered, with credsign's name and version. */
function healthBody(
  options: HandlerOptions,
  checks: Record<string, { status: 'up' | 'down'; message?: string }>,
): Record<string, unknown> {
  const up = Object.values(checks).every((c) => c.status === 'up')
  const info = Object.fromEntries(Object.entries(checks).filter(([, c]) => c.status === 'up'))
  const error = Object.fromEntries(Object.entries(checks).filter(([, c]) => c.status === 'down'))
  return {
    status: up ? 'ok' : 'error',
    info,
    error,
    details: checks,
    service: {
      name: options.service?.name ?? (isEeccCompat(options) ? 'key-service' : 'credsign'),
      version: options.service?.version ?? CREDSIGN_VERSION,
    },
  }
}

/** How long the readiness check waits for the store's ping. */
const PING_TIMEOUT_MS = 2000

async function storeCheck(
  options: HandlerOptions,
): Promise<{ status: 'up' | 'down'; message?: string }> {
  const ping = options.vault.store.ping?.bind(options.vault.store)
  if (ping === undefined) return { status: 'up' }
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new CredsignError('store_unavailable', 'the store did not answer in time')),
          PING_TIMEOUT_MS,
        )
      }),
    ])
    return { status: 'up' }
  } catch (error) {
    return { status: 'down', message: CredsignError.is(error) ? error.code : 'store_unavailable' }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

const HEALTH_SUMMARIES = {
  '/health': 'Health, with the store ping. 200 or 503.',
  '/health/liveness': 'Liveness (no checks).',
  '/health/readiness': 'Readiness (the store ping). 200 or 503.',
} as const

/** `GET /health`, `/health/readiness` (the store's ping) and `/health/liveness` (no checks). */
export function healthRoute(path: '/health' | '/health/readiness' | '/health/liveness'): Route {
  return {
    method: 'GET',
    path,
    public: true,
    summary: HEALTH_SUMMARIES[path],
    successStatus: 200,
    async run({ options }) {
      if (path === '/health/liveness')
        return json(healthBody(options, {}), 200, { 'cache-control': 'no-store' })
      const store = await storeCheck(options)
      // The origin's Terminus check was named after its TypeORM database; monitors read that name.
      const checks: Record<string, typeof store> = isEeccCompat(options)
        ? { database: store }
        : { store }
      return json(healthBody(options, checks), store.status === 'up' ? 200 : 503, {
        'cache-control': 'no-store',
      })
    },
  }
}
