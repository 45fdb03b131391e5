/**
 * The server half of bench/http-load.ts, run as a child process so that the load generator and the
 * server do not share an event loop. Env: EXTRA_KEYS (keys `#spread-<i>`), KDF_ITERATIONS (PBKDF2,
 * default 100000 = the origin service's default), UNLOCK_CACHE=1 (the vault's unlock cache, 5
 * minutes), BODY_TIMEOUT_MS and HEADERS_TIMEOUT_MS (read deadlines, default 30 s and 10 s as in
 * `credsign serve`). Prints `READY <port>`.
 */
import { createServer } from 'node:http'
import { KeyVault, MemoryStore } from '../src/index.node.js'
import { createHandler, toNodeListener } from '../src/http/index.js'

const iterations = Number(process.env.KDF_ITERATIONS ?? 100_000)
const vault = new KeyVault({
  store: new MemoryStore(),
  serviceSecret: new Uint8Array(32).fill(7),
  kdf: { id: 'pbkdf2-sha256', iterations },
  ...(process.env.UNLOCK_CACHE === '1' ? { unlockCache: { ttlMs: 300_000 } } : {}),
})
await vault.generate({
  id: 'did:web:issuer.example#key-1',
  algorithm: 'Ed25519',
  secrets: ['bench-secret-1'],
})
// 64 more keys, each with its own secret: requests spread over them rarely share an unlock.
for (let i = 0; i < Number(process.env.EXTRA_KEYS ?? 0); i++) {
  await vault.generate({
    id: `did:web:issuer.example#spread-${i}`,
    algorithm: 'Ed25519',
    secrets: [`spread-secret-${i}`],
  })
}
const handler = createHandler({
  vault,
  auth: { bearerTokens: ['bench-token-0123456789abcdef'] },
  issuers: [
    {
      name: 'jwt',
      keyId: 'did:web:issuer.example#key-1',
      secrets: ['bench-secret-1'],
      format: 'jwt',
    },
    {
      name: 'di',
      keyId: 'did:web:issuer.example#key-1',
      secrets: ['bench-secret-1'],
      format: 'data-integrity',
    },
  ],
})
// Read deadlines as `credsign serve` sets them (BODY_TIMEOUT_MS, HEADERS_TIMEOUT_MS; defaults 30 s, 10 s).
const bodyTimeoutMs = Number(process.env.BODY_TIMEOUT_MS ?? 30_000)
const headersTimeoutMs = Number(process.env.HEADERS_TIMEOUT_MS ?? 10_000)
const server = createServer(
  {
    headersTimeout: headersTimeoutMs,
    requestTimeout: headersTimeoutMs + bodyTimeoutMs + 1_000,
    connectionsCheckingInterval: 1_000,
  },
  toNodeListener(handler, { bodyTimeoutMs }),
)
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  console.log(`READY ${address.port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
