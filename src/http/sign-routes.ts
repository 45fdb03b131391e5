import * as z from 'zod'
import { generateKeyPair } from '../keys/generate.js'
import { multikeyFromJwk } from '../keys/multikey.js'
import type { KeyAlgorithm, PublicJwk } from '../keys/types.js'
import { MAX_KEY_ID_LENGTH } from '../stores/key-id.js'
import { wipe } from '../util/bytes.js'
import { isEeccCompat } from './eecc-compat.js'
import type { HandlerOptions } from './options.js'
import { readJsonBody } from './body.js'
import { json, type Route } from './route-context.js'
import { HttpError } from './problem.js'
import { identifierSchema, secretsSchema, signatureTypeSchema } from './schemas.js'
import { parseRequest } from './validate.js'

/*
 * The key routes of the origin key service (EECC key-service 2.x): /generate and /delete, with its
 * request fields and response shapes, minus its bugs (docs/http.md lists every difference). Its
 * /sign/* routes are in sign-route.ts.
 */

/** `POST /generate`. */
const generateRequestSchema = z
  .strictObject({
    identifier: identifierSchema,
    secrets: secretsSchema,
    signatureType: signatureTypeSchema,
    keyType: z
      .enum(['JsonWebKey', 'Multikey'])
      .default('JsonWebKey')
      .meta({ description: 'Shape of the returned verification method.' }),
  })
  .meta({ id: 'GenerateRequest' })

/** `POST /delete`. */
const deleteRequestSchema = z
  .strictObject({ identifier: identifierSchema, secrets: secretsSchema })
  .meta({ id: 'DeleteRequest' })

const ALGORITHM_OF: Readonly<Record<string, KeyAlgorithm>> = {
  Ed25519: 'Ed25519',
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
  ES256K: 'secp256k1',
  PS256: 'RSA-PSS',
  PS384: 'PS384',
  PS512: 'PS512',
  RS256: 'RS256',
}

/** `POST /generate`: 201 with the verification method of the new key. */
export const generateRoute: Route = {
  method: 'POST',
  path: '/generate',
  summary: 'Generate a key (origin key service). 201: its verification method.',
  successStatus: 201,
  requestSchema: generateRequestSchema,
  async run({ request, limits, options }) {
    const body = parseRequest(generateRequestSchema, await readJsonBody(request, limits))
    const algorithm = ALGORITHM_OF[body.signatureType]!
    // As in the origin: an identifier without a fragment names the controller, and the key id is
    // `identifier#<publicKeyMultibase>`, which the caller keeps for every later call.
    let id = body.identifier
    if (id.startsWith('#'))
      throw new HttpError(
        'invalid_request',
        'identifier: must name a controller before any #',
        {},
        [
          {
            code: 'invalid_request',
            message: 'must name a controller before any #',
            path: 'identifier',
          },
        ],
      )
    let publicJwk: PublicJwk
    // The origin's PS256 keys were RSA-4096 (credsign's default is 3072).
    const modulusLength = isEeccCompat(options) && algorithm === 'RSA-PSS' ? 4096 : undefined
    const maxIdLength = options.vault.store.maxKeyIdLength ?? MAX_KEY_ID_LENGTH
    assertIdentifierFits(id, options)
    if (id.includes('#')) {
      publicJwk = (
        await options.vault.generate({
          id,
          algorithm,
          secrets: body.secrets,
          ...(modulusLength === undefined ? {} : { modulusLength }),
        })
      ).current.publicJwk
    } else {
      const material = await generateKeyPair(
        algorithm,
        modulusLength === undefined ? {} : { modulusLength },
      )
      try {
        id = `${id}#${multikeyFromJwk(material.publicJwk)}`
        if (id.length > maxIdLength)
          throw new HttpError(
            'invalid_request',
            `identifier: too long for the key id it makes (identifier#publicKeyMultibase, at most ${maxIdLength} characters)`,
          )
        publicJwk = (
          await options.vault.import({ id, secrets: body.secrets, key: { pkcs8: material.pkcs8 } })
        ).current.publicJwk
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
  summary: 'Delete a key, proving the secrets. 204.',
  successStatus: 204,
  requestSchema: deleteRequestSchema,
  async run({ request, limits, options, caller }) {
    const body = parseRequest(deleteRequestSchema, await readJsonBody(request, limits))
    assertIdentifierFits(body.identifier, options)
    await options.vault.delete(body.identifier, body.secrets, clientOption(caller.client))
    // The origin answered 201 (Nest's POST default) with an empty body.
    return new Response(null, { status: isEeccCompat(options) ? 201 : 204 })
  },
}

/**
 * 400 `invalid_request` (path `identifier`) for an identifier longer than the store's key ids (500
 * unless the store was made with `maxKeyIdLength`): the schema admits up to 2,048. @internal
 */
export function assertIdentifierFits(identifier: string, options: HandlerOptions): void {
  const max = options.vault.store.maxKeyIdLength ?? MAX_KEY_ID_LENGTH
  if (identifier.length <= max) return
  const message = `must be at most ${max} characters`
  throw new HttpError('invalid_request', `identifier: ${message}`, {}, [
    { code: 'invalid_request', message, path: 'identifier' },
  ])
}

/** `{ client }` for the vault when the request has an authenticated client. @internal */
export function clientOption(client: string | undefined): { client?: string } {
  return client === undefined ? {} : { client }
}
