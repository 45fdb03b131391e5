import { asDidSigner } from '../did/as-did-signer.js'
import { keyIdDid } from '../did/did-url.js'
import { generateKeyPair } from '../keys/generate.js'
import { multikeyFromJwk } from '../keys/multikey.js'
import type { KeyAlgorithm, PublicJwk, Signer } from '../keys/types.js'
import { Oid4vciProofSigner } from '../oid4vci/proof-signer.js'
import { presentSdJwt } from '../formats/sd-jwt/present.js'
import type { DisclosureFrame, HolderBinding } from '../formats/sd-jwt/types.js'
import { SdJwtVcSigner } from '../formats/sd-jwt/vc-signer.js'
import { wipe } from '../util/bytes.js'
import type { UnlockedKey } from '../vault/unlocked-key.js'
import { JwtVcSigner } from '../formats/jwt/vc-signer.js'
import { JwtVpSigner } from '../formats/jwt/vp-signer.js'
import { readJsonBody } from './body.js'
import { defaultDisclosureFrame } from './default-frames.js'
import { json, text, type Route, type RouteContext } from './route-context.js'
import { HttpError } from './problem.js'
import { deleteRequestSchema, generateRequestSchema, signRequestSchema, type SignRequest } from './schemas.js'
import { parseRequest } from './validate.js'

/*
 * The routes of the origin key service (EECC key-service 2.x), with its request fields and
 * response shapes, minus its bugs (docs/http.md lists every difference).
 */

const ALGORITHM_OF: Readonly<Record<string, KeyAlgorithm>> = {
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  ES384: 'P-384',
  ES256K: 'secp256k1',
  PS256: 'RSA-PSS',
}

/** `POST /generate`: 201 with the verification method of the new key. */
export const generateRoute: Route = {
  method: 'POST',
  path: '/generate',
  async run({ request, limits, options }) {
    const body = parseRequest(generateRequestSchema, await readJsonBody(request, limits))
    const algorithm = ALGORITHM_OF[body.signatureType]!
    // As in the origin: an identifier without a fragment names the controller, and the key id is
    // `identifier#<publicKeyMultibase>`, which the caller keeps for every later call.
    let id = body.identifier
    if (id.startsWith('#')) throw new HttpError('invalid_request', 'identifier: must name a controller before any #', {}, [{ code: 'invalid_request', message: 'must name a controller before any #', path: 'identifier' }])
    let publicJwk: PublicJwk
    if (id.includes('#')) {
      publicJwk = (await options.vault.generate({ id, algorithm, secrets: body.secrets })).current.publicJwk
    } else {
      const material = await generateKeyPair(algorithm)
      try {
        id = `${id}#${multikeyFromJwk(material.publicJwk)}`
        if (id.length > 500) throw new HttpError('invalid_request', 'identifier: too long for the key id it makes (identifier#publicKeyMultibase, at most 500 characters)')
        publicJwk = (await options.vault.import({ id, secrets: body.secrets, key: { pkcs8: material.pkcs8 } })).current.publicJwk
      } finally {
        wipe(material.pkcs8)
      }
    }
    const controller = id.slice(0, id.indexOf('#'))
    const method =
      body.keyType === 'Multikey'
        ? { id, type: 'Multikey', controller, publicKeyMultibase: multikeyFromJwk(publicJwk) }
        : { id, type: 'JsonWebKey', controller, publicKeyJwk: publicJwk }
    return json(method, 201)
  },
}

/** `POST /delete`: 204 once the secrets have opened the key and it is gone. */
export const deleteRoute: Route = {
  method: 'POST',
  path: '/delete',
  async run({ request, limits, options, caller }) {
    const body = parseRequest(deleteRequestSchema, await readJsonBody(request, limits))
    await options.vault.delete(body.identifier, body.secrets, clientOption(caller.client))
    return new Response(null, { status: 204 })
  },
}

type Purpose = 'vc' | 'vp' | 'pop'

/** `POST /sign/{vc,vp,pop}/{jwt,data-integrity,sd-jwt}`. */
export function signRoute(purpose: Purpose): Route {
  return {
    method: 'POST',
    path: `/sign/${purpose}/:type`,
    async run(context) {
      const type = context.params.type
      if (type !== 'jwt' && type !== 'data-integrity' && type !== 'sd-jwt') {
        throw new HttpError('invalid_request', 'type must be jwt, data-integrity or sd-jwt', {}, [{ code: 'invalid_request', message: 'must be one of "jwt", "data-integrity", "sd-jwt"', path: 'type' }])
      }
      if (purpose === 'pop' && type === 'sd-jwt') throw new HttpError('unsupported_format', 'OpenID4VCI has no sd-jwt proof type: use jwt or data-integrity')
      const body = parseRequest(signRequestSchema, await readJsonBody(context.request, context.limits))
      const request = normalized(body, purpose, type)
      const key = await context.options.vault.unlock(body.identifier, body.secrets, clientOption(context.caller.client))
      try {
        return await sign(purpose, type, request, resolvableSigner(key), context)
      } finally {
        key.lock()
      }
    },
  }
}

interface NormalizedSign extends SignRequest {
  challenge?: string
  domain?: string
}

/** Resolves the origin's aliases (`nonce` for `challenge`, `audience` for `domain`) and checks which fields fit the route. */
function normalized(body: SignRequest, purpose: Purpose, type: string): NormalizedSign {
  const out: NormalizedSign = { ...body }
  for (const [field, alias] of [['challenge', 'nonce'], ['domain', 'audience']] as const) {
    const a = body[field]
    const b = body[alias]
    if (a !== undefined && b !== undefined && a !== b) throw new HttpError('invalid_request', `${field} and its alias ${alias} differ`)
    const value = a ?? b
    delete out[alias]
    if (value === undefined || value === '') delete out[field]
    else out[field] = value
  }
  const refuse = (field: keyof SignRequest, why: string): void => {
    if (body[field] !== undefined) throw new HttpError('invalid_request', `${field}: ${why}`, {}, [{ code: 'invalid_request', message: why, path: field }])
  }
  if (purpose !== 'pop') {
    if (type === 'sd-jwt' && purpose === 'vp') {
      if (typeof body.verifiable !== 'string') throw new HttpError('invalid_request', 'verifiable: the SD-JWT to present (a string)', {}, [{ code: 'invalid_request', message: 'expected the SD-JWT string', path: 'verifiable' }])
    } else if (typeof body.verifiable !== 'object' || body.verifiable === null) {
      throw new HttpError('invalid_request', `verifiable: the ${purpose === 'vc' ? 'credential' : 'presentation'} to sign (an object) is required`, {}, [{ code: 'invalid_request', message: 'expected object', path: 'verifiable' }])
    }
  } else {
    refuse('verifiable', 'a proof of possession signs no document (the origin ignored it)')
    if (out.domain === undefined) throw new HttpError('invalid_request', 'domain: the Credential Issuer Identifier is required for a proof of possession (OpenID4VCI appendix F)', {}, [{ code: 'invalid_request', message: 'required', path: 'domain' }])
    refuse('validUntil', 'OpenID4VCI key proofs carry no expiry; the issuer limits their age')
  }
  if (purpose === 'vc') {
    refuse('challenge', 'credentials take no challenge')
    refuse('domain', 'credentials take no domain')
    refuse('validUntil', "put validUntil in the credential; the request field applies to presentations")
  }
  if (type !== 'sd-jwt' || purpose !== 'vc') {
    refuse('disclosureFrame', 'only for /sign/vc/sd-jwt')
    refuse('holderPublicJwk', 'only for /sign/vc/sd-jwt')
  }
  if (type !== 'sd-jwt' || purpose !== 'vp') refuse('presentationFrame', 'only for /sign/vp/sd-jwt')
  if (type !== 'data-integrity') refuse('cryptosuite', 'only for data-integrity')
  if (purpose !== 'pop' || type !== 'jwt') {
    refuse('clientId', 'only for /sign/pop/jwt')
    refuse('keyReference', 'only for /sign/pop/jwt')
  }
  if (type === 'sd-jwt' && purpose === 'vp' && (out.domain === undefined || out.challenge === undefined)) {
    throw new HttpError('invalid_request', 'an SD-JWT presentation needs domain (KB-JWT aud) and challenge (KB-JWT nonce)')
  }
  return out
}

async function sign(purpose: Purpose, type: 'jwt' | 'data-integrity' | 'sd-jwt', body: NormalizedSign, signer: Signer, context: RouteContext): Promise<Response> {
  const ed25519Name = context.options.ed25519Name ?? 'EdDSA'
  const now = context.now
  if (purpose === 'pop') {
    const proofs = new Oid4vciProofSigner(signer)
    if (type === 'jwt') {
      const { jwt } = await proofs.sign({
        audience: body.domain!,
        ...(body.challenge === undefined ? {} : { nonce: body.challenge }),
        ...(body.clientId === undefined ? {} : { clientId: body.clientId }),
        ...(body.keyReference === undefined ? {} : { keyReference: body.keyReference }),
        now,
      })
      return text(jwt, 'application/jwt')
    }
    const { DataIntegritySigner } = await import('../formats/data-integrity/signer.js')
    const { di_vp } = await proofs.signDiVp(new DataIntegritySigner(signer, { now }), {
      audience: body.domain!,
      ...(body.challenge === undefined ? {} : { nonce: body.challenge }),
      now,
    })
    return json(di_vp, 201)
  }
  const document = body.verifiable
  if (type === 'jwt') {
    if (purpose === 'vc') return text(await new JwtVcSigner(signer, { ed25519Name, now }).sign(document as Record<string, unknown>), 'application/jwt')
    // exp = validUntil to the second: iat is pinned to the same clock reading expiresIn counts from.
    const issuedAt = Math.floor(now() / 1000)
    const expiresIn = body.validUntil === undefined ? undefined : secondsUntil(body.validUntil, issuedAt)
    return text(
      await new JwtVpSigner(signer, { ed25519Name, now }).sign(document as Record<string, unknown>, {
        ...(body.domain === undefined ? {} : { audience: body.domain }),
        ...(body.challenge === undefined ? {} : { nonce: body.challenge }),
        ...(expiresIn === undefined ? {} : { issuedAt, expiresIn }),
      }),
      'application/jwt',
    )
  }
  if (type === 'data-integrity') {
    const { DataIntegritySigner } = await import('../formats/data-integrity/signer.js')
    const suite = body.cryptosuite === undefined ? {} : { cryptosuite: body.cryptosuite }
    const di = new DataIntegritySigner(signer, { now, ...suite })
    if (purpose === 'vc') return json(await di.sign(document as Record<string, unknown>), 201)
    const presentation = { ...(document as Record<string, unknown>) }
    // As in the origin: a presentation without a holder is the key controller's.
    const controller = keyIdDid(signer.id)
    if (presentation.holder === undefined && controller !== undefined) presentation.holder = controller
    return json(
      await di.sign(presentation, {
        proofPurpose: 'authentication',
        ...(body.challenge === undefined ? {} : { challenge: body.challenge }),
        ...(body.domain === undefined ? {} : { domain: body.domain }),
        ...(body.validUntil === undefined ? {} : { expires: body.validUntil }),
      }),
      201,
    )
  }
  if (purpose === 'vc') {
    const sdJwt = new SdJwtVcSigner(signer, { ed25519Name, now })
    const credential = document as Record<string, unknown>
    const sdOptions = {
      disclosureFrame: body.disclosureFrame === undefined ? defaultDisclosureFrame(document as Record<string, unknown>) : (body.disclosureFrame as DisclosureFrame),
      ...(body.holderPublicJwk === undefined ? {} : { holder: body.holderPublicJwk as unknown as HolderBinding }),
    }
    if (credential['@context'] !== undefined) return text(await sdJwt.signCredential(credential, sdOptions), 'application/vc+sd-jwt')
    return text(await sdJwt.issue(credential, sdOptions), 'application/dc+sd-jwt')
  }
  const presented = await presentSdJwt(document as string, {
    disclose: body.presentationFrame === undefined ? 'all' : (body.presentationFrame as DisclosureFrame),
    holder: signer,
    audience: body.domain!,
    nonce: body.challenge!,
    ed25519Name,
    now,
  })
  return text(presented, 'application/dc+sd-jwt')
}

function secondsUntil(isoDate: string, nowSeconds: number): number {
  const seconds = Math.floor(Date.parse(isoDate) / 1000) - nowSeconds
  if (!Number.isFinite(seconds) || seconds <= 0) throw new HttpError('invalid_request', 'validUntil: must be in the future', {}, [{ code: 'invalid_request', message: 'must be in the future', path: 'validUntil' }])
  return seconds
}

/**
 * The signer the routes use: a key whose id is a DID URL signs as itself; any other key signs as
 * its did:key, so that whatever it signs names a key every verifier can resolve offline.
 * @internal
 */
export function resolvableSigner(key: UnlockedKey | Signer, method: 'key' | 'jwk' = 'key'): Signer {
  return keyIdDid(key.id) !== undefined ? key : asDidSigner(key, method)
}

/** `{ client }` for the vault when the request has an authenticated client. @internal */
export function clientOption(client: string | undefined): { client?: string } {
  return client === undefined ? {} : { client }
}
