import { jwsAlgorithm } from '../keys/algorithms.js'
import { multikeyFromJwk } from '../keys/multikey.js'
import { jwkThumbprint } from '../keys/thumbprint.js'
import { verificationMethod } from '../keys/verification-method.js'
import { didKeyFromJwk, didKeyDocument } from '../did/did-key.js'
import { didJwkFromJwk, didJwkDocument } from '../did/did-jwk.js'
import { controllerOf, didDocument, type DidDocument } from '../did/did-document.js'
import type { PublicJwk } from '../keys/types.js'
import type { KeyRecord, KeyVersionRecord } from '../stores/key-store.js'
import type { KeyInfo, KeyVersionInfo } from './key-info.js'

/** Options of `vault.didDocument`. */
export interface DidDocumentOptions {
  /**
   * `'controller'` (default): for a key id that is a DID URL, the document of that DID; for other
   * ids, the did:key document. `'key'` / `'jwk'`: always the did:key / did:jwk document of the
   * key.
   */
  method?: 'controller' | 'key' | 'jwk'
  /** Verification method type for controller documents (default `Multikey`). */
  verificationMethodType?: 'Multikey' | 'JsonWebKey'
}

/** Maps a stored record to its public view. @internal */
export async function toKeyInfo(record: KeyRecord): Promise<KeyInfo> {
  const versions = await Promise.all(record.versions.map(toVersionInfo))
  const current = versions.find((v) => v.status === 'current') ?? versions[versions.length - 1]
  if (!current) throw new Error('unreachable: stores validate that a record has versions')
  return {
    id: record.id,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    current,
    versions,
  }
}

async function toVersionInfo(version: KeyVersionRecord): Promise<KeyVersionInfo> {
  const thumbprint = await jwkThumbprint(version.publicJwk)
  const publicJwk: PublicJwk = {
    ...stripMetadata(version.publicJwk),
    kid: thumbprint,
    alg: jwsAlgorithm(version.algorithm),
    use: 'sig',
  }
  return {
    version: version.version,
    algorithm: version.algorithm,
    status: version.status,
    createdAt: version.createdAt,
    publicJwk,
    publicKeyMultibase: multikeyFromJwk(publicJwk),
    thumbprint,
    ...(version.certificateChain !== undefined && {
      certificateChain: {
        x5c: [...version.certificateChain.x5c],
        notAfter: version.certificateChain.notAfter,
      },
    }),
  }
}

function stripMetadata(jwk: PublicJwk): PublicJwk {
  switch (jwk.kty) {
    case 'OKP':
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
    case 'EC':
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
    case 'RSA':
      return { kty: jwk.kty, n: jwk.n, e: jwk.e }
  }
}

/** The DID document `vault.didDocument` serves for a key. @internal */
export function keyDidDocument(info: KeyInfo, options: DidDocumentOptions): DidDocument {
  const jwk = stripMetadata(info.current.publicJwk)
  const method = options.method ?? 'controller'
  if (method === 'jwk') return didJwkDocument(didJwkFromJwk(jwk))
  if (
    method === 'key' ||
    !info.id.startsWith('did:') ||
    info.id.startsWith('did:key:') ||
    info.id.startsWith('did:jwk:')
  ) {
    if (info.id.startsWith('did:jwk:') && method === 'controller')
      return didJwkDocument(didJwkFromJwk(jwk))
    return didKeyDocument(didKeyFromJwk(jwk))
  }
  const controller = controllerOf(info.id)
  // A DID without a fragment gets the key's multibase as fragment, as did:key does.
  const vmId = info.id.includes('#') ? info.id : `${controller}#${info.current.publicKeyMultibase}`
  const vm = verificationMethod(jwk, {
    id: vmId,
    controller,
    type: options.verificationMethodType ?? 'Multikey',
  })
  return didDocument({ id: controller, verificationMethods: [vm] })
}
