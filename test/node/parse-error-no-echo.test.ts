// A parse failure never carries its input on the thrown error. The JavaScript engine's SyntaxError
// quotes the text around the fault (V8: `Unexpected token 'M', "MARKER-MAR"... is not valid JSON`,
// a short text whole), so an engine error kept as `cause` would put a fragment of the text into
// every log that prints the error: a sealed key record, a database row of key versions, a private
// JWK pasted as a did:jwk, a remote party's document. Each parse site below is fed a marker and the
// whole error is searched for it: message, `String(err)`, stack and JSON of every error of the
// cause chain, with every own property.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStore, keyFileStem } from '../../src/file/index.js'
import { parseJsonText } from '../../src/jose/json.js'
import { PostgresStore } from '../../src/postgres/index.js'
import { parseJsonObject } from '../../src/resolve/bounded-fetch.js'
import { createResolver, CredsignError, jwkFromDidJwk } from '../../src/index.js'

/** Short enough that V8 quotes all of it, in every message form. */
const MARKER = 'MRK7Q'

/** Every text an error shows or serializes, down its cause chain. */
function everyText(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || error === undefined || seen.has(error)) return []
  seen.add(error)
  if (typeof error !== 'object') return [String(error)]
  const texts: string[] = [String(error)]
  const record = error as Record<string, unknown>
  if (typeof record.stack === 'string') texts.push(record.stack)
  if (typeof record.message === 'string') texts.push(record.message)
  try {
    texts.push(JSON.stringify(error) ?? '')
  } catch {
    // a cycle: the properties below are searched one by one
  }
  for (const name of Object.getOwnPropertyNames(error)) {
    if (name === 'cause') continue
    const value = record[name]
    if (typeof value === 'string') texts.push(value)
    else if (value !== null && typeof value === 'object') texts.push(...everyText(value, seen))
  }
  return [...texts, ...everyText(record.cause, seen)]
}

async function thrownBy(run: () => unknown): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

function expectNoMarker(error: unknown, code: string): void {
  expect(CredsignError.is(error), String(error)).toBe(true)
  expect((error as CredsignError).code).toBe(code)
  const leaked = everyText(error).filter((text) => text.includes(MARKER))
  expect(leaked, `the error carries the input: ${leaked.join(' | ')}`).toEqual([])
}

/** Texts that are not JSON, with the marker where V8 quotes it. */
const NOT_JSON = [MARKER, `{"d":${MARKER}}`, `[${MARKER}`]

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-parse-echo-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('no parse error carries its input', () => {
  it('the engine does quote it (the premise of these tests)', () => {
    for (const text of NOT_JSON) {
      let message = ''
      try {
        JSON.parse(text)
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toContain(MARKER)
    }
  })

  it('parseJsonText (request bodies, decrypted eecc bodies, JWS headers)', async () => {
    for (const text of NOT_JSON)
      expectNoMarker(await thrownBy(() => parseJsonText(text, 'the body')), 'malformed')
  })

  it('FileStore: a key file that is not JSON (a sealed key record) is store_corrupt without it', async () => {
    const id = 'issuer-1'
    for (const [index, text] of NOT_JSON.entries()) {
      const directory = join(dir, `keys-${index}`)
      const store = new FileStore({ directory })
      await store.list() // creates the directory
      await writeFile(join(directory, `${keyFileStem(id)}.json`), text)
      expectNoMarker(await thrownBy(() => store.get(id)), 'store_corrupt')
    }
  })

  it('PostgresStore: a row whose versions are not JSON is store_corrupt without them', async () => {
    for (const text of NOT_JSON) {
      const row = { id: 'issuer-1', revision: '1', versions: text, extra: null }
      const client = {
        query: async () => ({ rows: [row], rowCount: 1 }),
        release() {},
      }
      const store = new PostgresStore({ pool: { connect: async () => client } as never })
      expectNoMarker(await thrownBy(() => store.get('issuer-1')), 'store_corrupt')
    }
  })

  it('a fetched document that is not JSON (did:web, JWKS, JSON-LD contexts)', async () => {
    for (const text of NOT_JSON)
      expectNoMarker(await thrownBy(() => parseJsonObject(text)), 'key_resolution_failed')
    // End to end: a did:web host serving it.
    const resolver = createResolver({
      fetch: async () =>
        new Response(MARKER, { status: 200, headers: { 'content-type': 'application/did+json' } }),
    })
    const error = await thrownBy(() => resolver.resolveKey('did:web:issuer.example#key-1'))
    expectNoMarker(error, 'key_resolution_failed')
  })

  it('a did:jwk whose JWK is not JSON (a private JWK pasted as one)', async () => {
    for (const text of NOT_JSON) {
      const did = `did:jwk:${Buffer.from(text).toString('base64url')}`
      expectNoMarker(await thrownBy(() => jwkFromDidJwk(did)), 'invalid_key')
      expectNoMarker(await thrownBy(() => createResolver().resolveKey(`${did}#0`)), 'malformed')
    }
  })
})
