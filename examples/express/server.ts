// credsign/http inside an Express 5 app.   npm run build && CREDSIGN_TOKEN=… npx tsx examples/express/server.ts
// PORT (default 3000); CREDSIGN_TOKEN: the bearer token clients send (16+ characters);
// CREDSIGN_SERVICE_SECRET: 32+ characters (without it, a random one: keys die with the process).
import express from 'express'
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

const app = express()
app.get('/', (_req, res) => {
  res.send('your own routes live beside credsign')
})
// credsign reads the raw body itself: mount it before any body parser (express.json()).
app.use(toNodeListener(createHandler({ vault, auth: { bearerTokens: [token] } })))

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`credsign (Express) listening on http://127.0.0.1:${port}`)
})
process.once('SIGTERM', () => server.close())
