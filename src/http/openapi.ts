import * as z from 'zod'
import type { Route } from './route-context.js'
import { CREDSIGN_VERSION } from './package-version.js'

/*
 * The OpenAPI 3.1 document of a handler, built from its route table: each route's summary, success
 * status, path parameters and the zod schema that validates its request body (OpenAPI 3.1 uses
 * JSON Schema 2020-12, which `z.toJSONSchema` emits). Nothing about a route is written here.
 */

/** The one path the handler serves outside the route table (with the did:web documents). */
const OPENAPI_SUMMARY = 'This document.'

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable error code (docs/errors.md).' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          path: { type: 'string' },
        },
      },
    },
    retryAt: { type: 'string', format: 'date-time' },
  },
}

/**
 * The OpenAPI 3.1 document for a set of routes (what `GET /openapi.json` serves).
 *
 * @internal
 */
export function openApiDocument(
  routes: readonly Route[],
  didWebPaths: readonly string[],
  authenticated: boolean,
  maxKeyIdLength?: number,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const schemas: Record<string, unknown> = { Problem: PROBLEM_SCHEMA }
  for (const route of routes) {
    const openApiPath = route.path.replace(/:([a-z]+)/g, '{$1}')
    const parameters = [...route.path.matchAll(/:([a-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: route.pathParameters?.[m[1]!] ?? { type: 'string' },
    }))
    const operation: Record<string, unknown> = {
      summary: route.summary,
      responses: {
        default: {
          description: 'An error (RFC 9457 problem)',
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        },
        [String(route.successStatus)]: { description: 'Success' },
      },
    }
    if (parameters.length > 0) operation.parameters = parameters
    const schema = route.requestSchema
    if (schema !== undefined) {
      const {
        $schema: _ignored,
        $defs,
        ...jsonSchema
      } = z.toJSONSchema(schema, {
        io: 'input',
        target: 'draft-2020-12',
        unrepresentable: 'any',
      }) as Record<string, unknown>
      // zod puts schemas with an id under $defs and refers to them as `#/$defs/<id>`; inside an
      // OpenAPI document that pointer resolves against the document root, so they move to components.
      Object.assign(schemas, componentRefs($defs ?? {}))
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: componentRefs(jsonSchema) } },
      }
    }
    if (route.public === true && route.ownAuth !== true) operation.security = []
    paths[openApiPath] = { ...paths[openApiPath], [route.method.toLowerCase()]: operation }
  }
  for (const path of didWebPaths)
    paths[path] = {
      get: {
        summary: 'did:web DID document',
        security: [],
        responses: { '200': { description: 'The DID document' } },
      },
    }
  paths['/openapi.json'] = {
    get: {
      summary: OPENAPI_SUMMARY,
      security: [],
      responses: { '200': { description: 'This document' } },
    },
  }
  // The schema admits the longest ids any store can take; this server's store may take fewer.
  const keyId = schemas.KeyId as Record<string, unknown> | undefined
  if (keyId !== undefined && maxKeyIdLength !== undefined)
    schemas.KeyId = { ...keyId, maxLength: maxKeyIdLength }
  const document: Record<string, unknown> = {
    openapi: '3.1.0',
    info: {
      title: 'credsign',
      version: CREDSIGN_VERSION,
      description:
        'Signing service for W3C Verifiable Credentials (credsign/http). Errors are RFC 9457 problems with stable codes.',
    },
    paths,
    components: {
      schemas,
      ...(authenticated ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
    },
  }
  if (authenticated) document.security = [{ bearer: [] }]
  return document
}

/** A copy of a JSON Schema with its `#/$defs/…` references pointing to `#/components/schemas/…`. */
function componentRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(componentRefs) as T
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([name, member]) => [
      name,
      name === '$ref' && typeof member === 'string'
        ? member.replace(/^#\/\$defs\//, '#/components/schemas/')
        : componentRefs(member),
    ]),
  ) as T
}
