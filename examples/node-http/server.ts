// credsign/http on node:http.   npm run build && CREDSIGN_TOKEN=… npx tsx examples/node-http/server.ts
// PORT (default 3000); CREDSIGN_TOKEN: the bearer token clients send (16+ characters);
// CREDSIGN_SERVICE_SECRET: 32+ characters (without it, a random one: keys die with the process).
import { createServer } from 'node:http'
import { KeyVault, MemoryStore } from 'credsign'
import { createHandler, toNodeListener } from 'credsign/http'

const token = process.env.CREDSIGN_TOKEN
if (!token)
  throw new Error('set CREDSIGN_TOKEN to the bearer token clients must send (16+ characters)')
const port = Number(process.env.PORT ?? 3000)

const vault = new KeyVault({
  store: new MemoryStore(), // or FileStore (credsign/file) / PostgresStore (credsign/postgres) to keep keys
  serviceSecret: process.env.CREDSIGN_SERVICE_SECRET ?? crypto.getRandomValues(new Uint8Array(32)),
})
const handler = createHandler({ vault, auth: { bearerTokens: [token] } })

const server = createServer(toNodeListener(handler)).listen(port, '127.0.0.1', () => {
  console.log(`credsign (node:http) listening on http://127.0.0.1:${port}`)
})
process.once('SIGTERM', () => server.close())
