// credsign/http in a Hono app on Bun.   npm run build && CREDSIGN_TOKEN=… npx bun examples/hono-bun/server.ts
// PORT (default 3000); CREDSIGN_TOKEN: the bearer token clients send (16+ characters);
// CREDSIGN_SERVICE_SECRET: 32+ characters (without it, a random one: keys die with the process).
import { Hono } from 'hono'
import { KeyVault, MemoryStore } from 'credsign'
import { createHandler } from 'credsign/http'

const token = process.env.CREDSIGN_TOKEN
if (!token)
  throw new Error('set CREDSIGN_TOKEN to the bearer token clients must send (16+ characters)')
const port = Number(process.env.PORT ?? 3000)

const vault = new KeyVault({
  store: new MemoryStore(), // or FileStore (credsign/file) / PostgresStore (credsign/postgres) to keep keys
  serviceSecret: process.env.CREDSIGN_SERVICE_SECRET ?? crypto.getRandomValues(new Uint8Array(32)),
})
const handler = createHandler({ vault, auth: { bearerTokens: [token] } })

const app = new Hono()
app.get('/', (c) => c.text('your own routes live beside credsign'))
app.all('*', (c) => handler(c.req.raw)) // every other path: credsign's routes

console.log(`credsign (Hono on Bun) listening on http://localhost:${port}`)
// Bun serves a default export with `fetch`.
export default { port, fetch: app.fetch }
