import { z } from 'zod'
import type { Route } from './route-context.js'
import { deleteRequestSchema, generateRequestSchema, issueRequestSchema, signRequestSchema, verifyCredentialRequestSchema, verifyPresentationRequestSchema } from './schemas.js'
import { CREDSIGN_VERSION } from './package-version.js'
import { SIGNING_FORMATS } from '../service/formats.js'

/*
 * The OpenAPI 3.1 document of a handler, built from the zod schemas that validate its requests
 * (OpenAPI 3.1 uses JSON Schema 2020-12, which `z.toJSONSchema` emits).
 */

const REQUEST_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'POST /generate': generateRequestSchema,
  'POST /delete': deleteRequestSchema,
  'POST /sign/vc/:type': signRequestSchema,
  'POST /sign/vp/:type': signRequestSchema,
  'POST /sign/pop/:type': signRequestSchema,
  'POST /credentials/issue': issueRequestSchema,
  'POST /issuers/:name/credentials/issue': issueRequestSchema,
  'POST /credentials/verify': verifyCredentialRequestSchema,
  'POST /presentations/verify': verifyPresentationRequestSchema,
}

const SUMMARIES: Readonly<Record<string, string>> = {
  'POST /generate': 'Generate a key (origin key service). 201: its verification method.',
  'POST /delete': 'Delete a key, proving the secrets. 204.',
  'POST /sign/vc/:type': 'Sign a credential: jwt (application/jwt), data-integrity (JSON), sd-jwt (application/dc+sd-jwt or vc+sd-jwt). 201.',
  'POST /sign/vp/:type': 'Sign a presentation: jwt, data-integrity; sd-jwt presents an SD-JWT with a KB-JWT. 201.',
  'POST /sign/pop/:type': 'OpenID4VCI proof of possession: jwt (openid4vci-proof+jwt) or data-integrity (di_vp). 201.',
  'POST /credentials/issue': 'VC-API: issue with a configured issuer profile. 201 { verifiableCredential }.',
  'POST /issuers/:name/credentials/issue': 'VC-API: issue with the named issuer profile. 201 { verifiableCredential }.',
  'POST /credentials/verify': 'VC-API: verify a credential. 200, or 422 with the reasons.',
  'POST /presentations/verify': 'VC-API: verify a presentation. 200, or 422 with the reasons.',
  'GET /keys/:id': 'Public key of a key id (JWK and Multikey) and its versions.',
  'GET /.well-known/jwks.json': 'JWKS of the published keys.',
  'GET /health': 'Health, with the store ping. 200 or 503.',
  'GET /health/liveness': 'Liveness (no checks).',
  'GET /health/readiness': 'Readiness (the store ping). 200 or 503.',
  'GET /openapi.json': 'This document.',
}

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable error code (docs/errors.md).' },
    errors: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } } } },
    retryAt: { type: 'string', format: 'date-time' },
  },
}

/**
 * The OpenAPI 3.1 document for a set of routes (what `GET /openapi.json` serves).
 * @internal
 */
export function openApiDocument(routes: readonly Route[], didWebPaths: readonly string[], authenticated: boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const schemas: Record<string, unknown> = { Problem: PROBLEM_SCHEMA }
  for (const route of routes) {
    const key = `${route.method} ${route.path}`
    const openApiPath = route.path.replace(/:([a-z]+)/g, '{$1}')
    const parameters = [...route.path.matchAll(/:([a-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: m[1] === 'type' ? { type: 'string', enum: [...SIGNING_FORMATS] } : { type: 'string' },
    }))
    const operation: Record<string, unknown> = {
      summary: SUMMARIES[key] ?? key,
      responses: {
        default: { description: 'An error (RFC 9457 problem)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        [route.method === 'POST' ? (route.path.includes('verify') ? '200' : route.path === '/delete' ? '204' : '201') : '200']: { description: 'Success' },
      },
    }
    if (parameters.length > 0) operation.parameters = parameters
    const schema = REQUEST_SCHEMAS[key]
    if (schema !== undefined) {
      const { $schema: _ignored, $defs, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>
      // zod puts schemas with an id under $defs and refers to them as `#/$defs/<id>`; inside an
      // OpenAPI document that pointer resolves against the document root, so they move to components.
      Object.assign(schemas, componentRefs($defs ?? {}))
      operation.requestBody = { required: true, content: { 'application/json': { schema: componentRefs(jsonSchema) } } }
    }
    if (route.public === true) operation.security = []
    paths[openApiPath] = { ...paths[openApiPath], [route.method.toLowerCase()]: operation }
  }
  for (const path of didWebPaths) paths[path] = { get: { summary: 'did:web DID document', security: [], responses: { '200': { description: 'The DID document' } } } }
  paths['/openapi.json'] = { get: { summary: SUMMARIES['GET /openapi.json'], security: [], responses: { '200': { description: 'This document' } } } }
  const document: Record<string, unknown> = {
    openapi: '3.1.0',
    info: { title: 'credsign', version: CREDSIGN_VERSION, description: 'Signing service for W3C Verifiable Credentials (credsign/http). Errors are RFC 9457 problems with stable codes.' },
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
    Object.entries(value).map(([name, member]) => [name, name === '$ref' && typeof member === 'string' ? member.replace(/^#\/\$defs\//, '#/components/schemas/') : componentRefs(member)]),
  ) as T
}
