// credsign serve, operations (issue 15, item 6): the JSON access log (shape, request ids, and no
// secret, body or query string in it), GET /metrics (the Prometheus text format parsed strictly,
// counters that move, its authentication), and VC-API issuer profiles from a JSON file.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveInProcess, serveRefused, type Served } from '../fixtures/serve.js'

const CHEAP = { PBKDF2_ITERATIONS: '1000' }
const TOKEN = 'api-token-0123456789abcdef'
const METRICS_TOKEN = 'metrics-token-0123456789abcdef'
const CALLER_SECRET = 'caller-secret-DO-NOT-LOG-4711'
const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:web:issuer.example',
  credentialSubject: { id: 'did:example:alice', name: 'Alice-BODY-MARKER' },
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-serve-ops-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const serve = (args: string[], env: Record<string, string | undefined>): Promise<Served> =>
  serveInProcess(['--port', '0', ...args], env, { accessLog: 'keep' })

const refused = (args: string[], env: Record<string, string | undefined>) =>
  serveRefused(['--port', '0', ...args], env)

const post = (token: string | undefined, body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...headers,
  },
  body: JSON.stringify(body),
})

async function generate(base: string, identifier: string, secret: string): Promise<jose.JWK> {
  const response = await fetch(
    `${base}/generate`,
    post(TOKEN, { identifier, secrets: [secret], signatureType: 'ES256' }),
  )
  expect(response.status).toBe(201)
  return ((await response.json()) as { publicKeyJwk: jose.JWK }).publicKeyJwk
}

/** Settles once the handler's log line of the last request is in (it follows the response). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

describe('credsign serve: the access log', () => {
  it('one JSON line per request: time, method, route template, status, duration, request id; never a secret, body, token or query string', async () => {
    const dataDir = join(dir, 'log')
    const server = await serve(['--data-dir', dataDir], { ...CHEAP, CREDSIGN_TOKENS: TOKEN })
    try {
      await generate(server.base, 'did:web:issuer.example#log-key', CALLER_SECRET)
      const signed = await fetch(
        `${server.base}/sign/vc/jwt?access_token=QUERY-TOKEN-MARKER&x=1`,
        post(
          TOKEN,
          {
            identifier: 'did:web:issuer.example#log-key',
            secrets: [CALLER_SECRET],
            verifiable: credential,
          },
          { 'x-request-id': 'trace-4711.a:b_c-d' },
        ),
      )
      expect(signed.status).toBe(201)
      expect(signed.headers.get('x-request-id')).toBe('trace-4711.a:b_c-d')
      // Wrong token: logged as a 401 with its code, the token nowhere.
      const wrong = await fetch(
        `${server.base}/sign/vc/jwt`,
        post('WRONG-TOKEN-MARKER-0123456789', { identifier: 'x', secrets: [CALLER_SECRET] }),
      )
      expect(wrong.status).toBe(401)
      // A raw path with a key id is logged as its template.
      const key = await fetch(
        `${server.base}/keys/${encodeURIComponent('did:web:issuer.example#log-key')}`,
        { headers: { 'x-request-id': 'bad id with spaces', authorization: `Bearer ${TOKEN}` } },
      )
      expect(key.status).toBe(200)
      const generated = key.headers.get('x-request-id')!
      expect(generated).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      )
      const tooLong = await fetch(`${server.base}/health/liveness`, {
        headers: { 'x-request-id': 'a'.repeat(129) },
      })
      expect(tooLong.headers.get('x-request-id')).not.toBe('a'.repeat(129))
      await settle()

      const entries = server.log.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(entries).toHaveLength(5)
      for (const entry of entries) {
        expect(Object.keys(entry).sort()).toEqual(
          expect.arrayContaining(['durationMs', 'method', 'requestId', 'route', 'status', 'time']),
        )
        expect(
          Object.keys(entry).every((k) =>
            [
              'time',
              'method',
              'route',
              'status',
              'durationMs',
              'requestId',
              'code',
              'detail',
            ].includes(k),
          ),
        ).toBe(true)
        expect(new Date(entry.time as string).toISOString()).toBe(entry.time)
        expect(typeof entry.durationMs).toBe('number')
        expect(entry.durationMs as number).toBeGreaterThanOrEqual(0)
      }
      expect(entries[0]).toMatchObject({ method: 'POST', route: '/generate', status: 201 })
      expect(entries[1]).toEqual({
        time: expect.any(String),
        method: 'POST',
        route: '/sign/vc/:type',
        status: 201,
        durationMs: expect.any(Number),
        requestId: 'trace-4711.a:b_c-d',
      })
      expect(entries[2]).toMatchObject({
        route: '/sign/vc/:type',
        status: 401,
        code: 'unauthorized',
      })
      expect(entries[3]).toMatchObject({
        method: 'GET',
        route: '/keys/:id',
        status: 200,
        requestId: generated,
      })
      expect(entries[4]!.requestId).toBe(tooLong.headers.get('x-request-id'))

      const everything = [...server.log, ...server.out, ...server.err].join('\n')
      for (const leak of [
        CALLER_SECRET,
        TOKEN,
        'WRONG-TOKEN-MARKER',
        'QUERY-TOKEN-MARKER',
        'access_token',
        'Alice-BODY-MARKER',
        'log-key',
        'bad id with spaces',
      ])
        expect(everything).not.toContain(leak)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it('--no-access-log and CREDSIGN_ACCESS_LOG=off turn it off; a wrong value is a usage error', async () => {
    const dataDir = join(dir, 'nolog')
    for (const [args, env] of [
      [['--no-access-log'], {}],
      [[], { CREDSIGN_ACCESS_LOG: 'off' }],
    ] as const) {
      const server = await serve(['--data-dir', dataDir, ...args], {
        ...CHEAP,
        CREDSIGN_TOKENS: TOKEN,
        ...env,
      })
      try {
        expect((await fetch(`${server.base}/health`)).status).toBe(200)
        await settle()
        expect(server.log).toEqual([])
        expect(server.out.filter((l) => l.startsWith('{'))).toEqual([])
      } finally {
        await server.stop()
      }
    }
    const bad = await refused(['--data-dir', dataDir], {
      ...CHEAP,
      CREDSIGN_TOKENS: TOKEN,
      CREDSIGN_ACCESS_LOG: 'maybe',
    })
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('CREDSIGN_ACCESS_LOG must be on or off')
  })
})

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (the subset credsign writes):
 * every line is `# HELP`, `# TYPE` or a sample; a family's TYPE comes once, before its samples;
 * label values are quoted with only \ " \n escapes; histograms have cumulative buckets ending in
 * le="+Inf" equal to _count. Throws on anything else.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed')
  const types = new Map<string, string>()
  const helps = new Set<string>()
  const samples: Sample[] = []
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
  const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"'
  const sampleLine = new RegExp(`^(${NAME})(\\{(?:${LABEL})(?:,(?:${LABEL}))*\\})? (\\S+)$`)
  const familyOf = (name: string): string => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined
      if (base !== undefined && types.get(base) === 'histogram') return base
    }
    return name
  }
  for (const line of text.slice(0, -1).split('\n')) {
    let match: RegExpExecArray | null
    if ((match = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      if (helps.has(match[1]!)) throw new Error(`HELP twice for ${match[1]}`)
      helps.add(match[1]!)
    } else if (
      (match = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(
        line,
      ))
    ) {
      if (types.has(match[1]!)) throw new Error(`TYPE twice for ${match[1]}`)
      if (samples.some((s) => familyOf(s.name) === match![1]))
        throw new Error(`TYPE after samples of ${match[1]}`)
      types.set(match[1]!, match[2]!)
    } else if ((match = sampleLine.exec(line))) {
      const labels: Record<string, string> = {}
      for (const pair of (match[2] ?? '').matchAll(
        /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
      )) {
        if (pair[1]! in labels) throw new Error(`label ${pair[1]} twice: ${line}`)
        labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
      }
      const raw = match[3]!
      const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw)
      if (raw !== 'NaN' && Number.isNaN(value)) throw new Error(`not a number: ${line}`)
      const family = familyOf(match[1]!)
      if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`)
      if (types.get(family) === 'counter' && !match[1]!.endsWith('_total'))
        throw new Error(`counter not named _total: ${line}`)
      samples.push({ name: match[1]!, labels, value })
    } else {
      throw new Error(`not a line of the text format: ${JSON.stringify(line)}`)
    }
  }
  // Histograms: cumulative buckets, +Inf last and equal to _count, per label set.
  for (const [family, type] of types) {
    if (type !== 'histogram') continue
    const groups = new Map<string, Sample[]>()
    for (const s of samples.filter((s) => s.name === `${family}_bucket`)) {
      const { le: _le, ...rest } = s.labels
      const key = JSON.stringify(Object.entries(rest).sort())
      groups.set(key, [...(groups.get(key) ?? []), s])
    }
    for (const [key, buckets] of groups) {
      const bounds = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)))
      if (bounds.at(-1) !== Infinity) throw new Error(`${family}: no le="+Inf" bucket`)
      for (let i = 1; i < buckets.length; i++) {
        if (!(bounds[i]! > bounds[i - 1]!))
          throw new Error(`${family}: bucket bounds not ascending`)
        if (buckets[i]!.value < buckets[i - 1]!.value)
          throw new Error(`${family}: buckets not cumulative`)
      }
      const count = samples.find(
        (s) =>
          s.name === `${family}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key,
      )
      if (count === undefined || count.value !== buckets.at(-1)!.value)
        throw new Error(`${family}: _count differs from +Inf`)
    }
  }
  return { samples, types }
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

async function scrape(base: string, token: string): Promise<Sample[]> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(await response.text()).samples
}

describe('credsign serve: GET /metrics', () => {
  it('the parser refuses what is not the text format', () => {
    expect(() => parseExposition('# TYPE a_total counter\na_total 1')).toThrow(/line feed/)
    expect(() => parseExposition('a_total 1\n')).toThrow(/before its TYPE/)
    expect(() => parseExposition('# TYPE a_total counter\na_total{x="1} 1\n')).toThrow(/not a line/)
    expect(() =>
      parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n'),
    ).toThrow(/cumulative/)
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\n')).toThrow(
      /\+Inf/,
    )
  })

  it('behind the API tokens; requests, latency, unlocks with KDF time, lockouts and store errors move', async () => {
    const dataDir = join(dir, 'metrics')
    const server = await serve(['--data-dir', dataDir], { ...CHEAP, CREDSIGN_TOKENS: TOKEN })
    try {
      expect((await fetch(`${server.base}/metrics`)).status).toBe(401)
      expect(
        (
          await fetch(`${server.base}/metrics`, {
            headers: { authorization: 'Bearer not-a-token-0123456789' },
          })
        ).status,
      ).toBe(401)
      const before = await scrape(server.base, TOKEN)
      await generate(server.base, 'did:web:issuer.example#m-1', CALLER_SECRET)
      for (let i = 0; i < 3; i++) {
        const signed = await fetch(
          `${server.base}/sign/vc/jwt`,
          post(TOKEN, {
            identifier: 'did:web:issuer.example#m-1',
            secrets: [CALLER_SECRET],
            verifiable: credential,
          }),
        )
        expect(signed.status).toBe(201)
      }
      // Six wrong guesses: five run the KDF and fail, the sixth is refused as locked.
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) {
        const guess = await fetch(
          `${server.base}/sign/vc/jwt`,
          post(TOKEN, {
            identifier: 'did:web:issuer.example#m-1',
            secrets: [`wrong-${i}`],
            verifiable: credential,
          }),
        )
        statuses.push(guess.status)
      }
      expect(new Set(statuses.slice(0, 5)).size).toBe(1)
      expect(statuses[0]).toBeGreaterThanOrEqual(400)
      expect(statuses.at(-1)).toBe(429)
      // A damaged key file: the store fails to read it.
      await generate(server.base, 'did:web:issuer.example#m-broken', CALLER_SECRET)
      const keyDir = join(dataDir, 'keys')
      const files = await readdir(keyDir)
      const broken = files.filter((f) => !f.startsWith('.'))
      expect(broken.length).toBeGreaterThanOrEqual(2)
      const after0 = await scrape(server.base, TOKEN)
      // Find the broken key's file: the newest one that is not m-1's (written first).
      for (const file of broken) {
        const text = await import('node:fs/promises').then((fs) =>
          fs.readFile(join(keyDir, file), 'utf8'),
        )
        if (text.includes('m-broken')) await writeFile(join(keyDir, file), '{ not json')
      }
      const damaged = await fetch(
        `${server.base}/sign/vc/jwt`,
        post(TOKEN, {
          identifier: 'did:web:issuer.example#m-broken',
          secrets: [CALLER_SECRET],
          verifiable: credential,
        }),
      )
      expect(damaged.status).toBe(500)
      const after = await scrape(server.base, TOKEN)

      const signedRoute = { method: 'POST', route: '/sign/vc/:type', status: '201' }
      expect(
        value(after, 'credsign_http_requests_total', signedRoute) -
          value(before, 'credsign_http_requests_total', signedRoute),
      ).toBe(3)
      expect(
        value(after, 'credsign_http_requests_total', { route: '/sign/vc/:type', status: '429' }),
      ).toBe(1)
      expect(
        value(after, 'credsign_http_requests_total', { route: '/metrics', status: '401' }),
      ).toBe(2)
      expect(
        value(after, 'credsign_http_requests_total', { route: '/metrics', status: '200' }),
      ).toBe(2)
      expect(
        value(after, 'credsign_http_request_duration_seconds_count', { route: '/sign/vc/:type' }),
      ).toBe(10)
      expect(
        value(after, 'credsign_http_request_duration_seconds_sum', { route: '/sign/vc/:type' }),
      ).toBeGreaterThan(0)
      // Unlock cache off: each signature ran the KDF.
      expect(value(after, 'credsign_unlocks_total', { outcome: 'success' })).toBe(3)
      expect(value(after, 'credsign_unlocks_total', { outcome: 'failure' })).toBe(5)
      expect(value(after, 'credsign_unlock_locked_total')).toBe(1)
      expect(value(after, 'credsign_unlock_kdf_seconds_count')).toBeGreaterThanOrEqual(8)
      expect(value(after0, 'credsign_store_errors_total')).toBe(0)
      expect(
        value(after, 'credsign_store_errors_total', { operation: 'get', code: 'store_corrupt' }),
      ).toBe(1)
      // Nothing of a request in the exposition.
      const text = await (
        await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text()
      for (const leak of [CALLER_SECRET, 'm-1', 'm-broken', 'wrong-', dataDir])
        expect(text).not.toContain(leak)
    } finally {
      await server.stop()
    }
  })

  it('a separate metrics token opens /metrics only; the API token does not open /metrics; --no-metrics removes the route', async () => {
    const dataDir = join(dir, 'metrics-token')
    const tokenFile = join(dir, 'metrics-token-file')
    await writeFile(tokenFile, `${METRICS_TOKEN}\n`, { mode: 0o600 })
    for (const [args, env] of [
      [['--metrics-token-file', tokenFile], {}],
      [[], { CREDSIGN_METRICS_TOKEN: METRICS_TOKEN }],
    ] as const) {
      const server = await serve(['--data-dir', dataDir, ...args], {
        ...CHEAP,
        CREDSIGN_TOKENS: TOKEN,
        ...env,
      })
      try {
        expect(
          (await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }))
            .status,
        ).toBe(401)
        expect((await fetch(`${server.base}/metrics`)).status).toBe(401)
        await scrape(server.base, METRICS_TOKEN)
        expect(
          (
            await fetch(
              `${server.base}/sign/vc/jwt`,
              post(METRICS_TOKEN, { identifier: 'x', secrets: ['y'] }),
            )
          ).status,
        ).toBe(401)
      } finally {
        await server.stop()
      }
    }
    const off = await serve(['--data-dir', dataDir, '--no-metrics'], {
      ...CHEAP,
      CREDSIGN_TOKENS: TOKEN,
    })
    try {
      const response = await fetch(`${off.base}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      expect(response.status).toBe(404)
    } finally {
      await off.stop()
    }
    const short = await refused(['--data-dir', dataDir], {
      ...CHEAP,
      CREDSIGN_TOKENS: TOKEN,
      CREDSIGN_METRICS_TOKEN: 'short',
    })
    expect(short.code).toBe(2)
    expect(short.err).not.toContain('short"')
  })
})

describe('credsign serve --issuer-profiles FILE', () => {
  it('POST /credentials/issue and /issuers/:name/credentials/issue sign with the profiles of the file', async () => {
    const dataDir = join(dir, 'issuers')
    // Make the key first with a plain server.
    const first = await serve(['--data-dir', dataDir], { ...CHEAP, CREDSIGN_TOKENS: TOKEN })
    let publicJwk: jose.JWK
    try {
      publicJwk = await generate(first.base, 'did:web:issuer.example#issuer-1', CALLER_SECRET)
      // Without profiles, the route answers 404.
      const none = await fetch(`${first.base}/credentials/issue`, post(TOKEN, { credential }))
      expect(none.status).toBe(404)
    } finally {
      await first.stop()
    }
    const secretsFile = join(dir, 'issuer-1.secrets')
    await writeFile(secretsFile, `${CALLER_SECRET}\n`, { mode: 0o600 })
    const profiles = join(dir, 'issuers.json')
    await writeFile(
      profiles,
      JSON.stringify({
        issuers: [
          {
            name: 'jwt',
            keyId: 'did:web:issuer.example#issuer-1',
            secretsFile: 'issuer-1.secrets',
            format: 'jwt',
          },
          {
            name: 'sd',
            keyId: 'did:web:issuer.example#issuer-1',
            secretsFile: 'issuer-1.secrets',
            format: 'sd-jwt',
          },
        ],
      }),
    )
    const server = await serve(['--data-dir', dataDir, '--issuer-profiles', profiles], {
      ...CHEAP,
      CREDSIGN_TOKENS: TOKEN,
    })
    try {
      const issued = await fetch(
        `${server.base}/credentials/issue`,
        post(TOKEN, { credential, options: { format: 'jwt' } }),
      )
      expect(issued.status).toBe(201)
      const { verifiableCredential } = (await issued.json()) as {
        verifiableCredential: { id: string }
      }
      // VCDM 2.0 over VC-API: an EnvelopedVerifiableCredential whose id is the JWT as a data: URL.
      expect(verifiableCredential.id).toMatch(/^data:application\/vc\+jwt,/)
      const { payload } = await jose.jwtVerify(
        verifiableCredential.id.slice(verifiableCredential.id.indexOf(',') + 1),
        await jose.importJWK(publicJwk, 'ES256'),
      )
      expect(payload).toMatchObject({ credentialSubject: { name: 'Alice-BODY-MARKER' } })
      const named = await fetch(
        `${server.base}/issuers/sd/credentials/issue`,
        post(TOKEN, { credential }),
      )
      expect(named.status).toBe(201)
      const unknown = await fetch(
        `${server.base}/issuers/nope/credentials/issue`,
        post(TOKEN, { credential }),
      )
      const problem = await unknown.text()
      expect(unknown.status).toBeGreaterThanOrEqual(400)
      expect(problem).not.toContain(dir)
      expect([...server.out, ...server.err, ...server.log].join('\n')).not.toContain(CALLER_SECRET)
    } finally {
      await server.stop()
    }
    // The environment variable works as the flag does.
    const fromEnv = await serve(['--data-dir', dataDir], {
      ...CHEAP,
      CREDSIGN_TOKENS: TOKEN,
      CREDSIGN_ISSUER_PROFILES: profiles,
    })
    try {
      expect(
        (await fetch(`${fromEnv.base}/issuers/jwt/credentials/issue`, post(TOKEN, { credential })))
          .status,
      ).toBe(201)
    } finally {
      await fromEnv.stop()
    }
  })

  it('a bad file stops the server with the file and the JSON pointer of the problem (exit 2)', async () => {
    const dataDir = join(dir, 'issuers')
    const secretsFile = join(dir, 'issuer-1.secrets')
    await writeFile(secretsFile, `${CALLER_SECRET}\n`, { mode: 0o600 })
    const base = {
      name: 'jwt',
      keyId: 'did:web:issuer.example#issuer-1',
      secretsFile: 'issuer-1.secrets',
      format: 'jwt',
    }
    const cases: [string, string, RegExp][] = [
      ['not-json', '{ "issuers": [', /not valid JSON/],
      ['top-array', '[]', /must be a JSON object/],
      ['extra-top', JSON.stringify({ issuers: [base], tokens: [] }), /at \/tokens: unknown member/],
      ['empty', JSON.stringify({ issuers: [] }), /at \/issuers: must be an array of 1 to 100/],
      [
        'typo',
        JSON.stringify({ issuers: [{ ...base, fromat: 'jwt' }] }),
        /at \/issuers\/0\/fromat: unknown member; did you mean format\?/,
      ],
      [
        'format',
        JSON.stringify({ issuers: [{ ...base, format: 'ldp' }] }),
        /at \/issuers\/0\/format: must be jwt, data-integrity or sd-jwt/,
      ],
      ['name', JSON.stringify({ issuers: [{ ...base, name: 'a b' }] }), /at \/issuers\/0\/name/],
      [
        'duplicate',
        JSON.stringify({ issuers: [base, base] }),
        /at \/issuers\/1\/name: a second profile is named jwt/,
      ],
      [
        'no-secrets',
        JSON.stringify({ issuers: [{ name: 'jwt', keyId: 'k', format: 'jwt' }] }),
        /at \/issuers\/0: needs the key's secrets/,
      ],
      [
        'missing-secrets-file',
        JSON.stringify({ issuers: [{ ...base, secretsFile: 'nope.secrets' }] }),
        /at \/issuers\/0\/secretsFile: cannot read/,
      ],
      [
        'suite-on-jwt',
        JSON.stringify({ issuers: [{ ...base, cryptosuite: 'eddsa-rdfc-2022' }] }),
        /only a data-integrity profile takes a cryptosuite/,
      ],
      [
        'suite',
        JSON.stringify({ issuers: [{ ...base, format: 'data-integrity', cryptosuite: 'rot13' }] }),
        /at \/issuers\/0\/cryptosuite: must be/,
      ],
      [
        'unknown-key',
        JSON.stringify({ issuers: [{ ...base, keyId: 'did:web:issuer.example#nope' }] }),
        /at \/issuers\/0\/keyId: the store holds no key/,
      ],
      [
        'inline-readable',
        JSON.stringify({
          issuers: [
            {
              name: 'jwt',
              keyId: 'did:web:issuer.example#issuer-1',
              secrets: [CALLER_SECRET],
              format: 'jwt',
            },
          ],
        }),
        /readable by group or others/,
      ],
    ]
    for (const [name, text, expected] of cases) {
      const file = join(dir, `bad-${name}.json`)
      await writeFile(file, text)
      await chmod(file, 0o644)
      const result = await refused(['--data-dir', dataDir, '--issuer-profiles', file], {
        ...CHEAP,
        CREDSIGN_TOKENS: TOKEN,
      })
      expect(result.code, name).toBe(2)
      expect(result.err, name).toMatch(expected)
      expect(result.err, name).toContain(file)
      expect(result.err, name).not.toContain(CALLER_SECRET)
    }
  })
})
