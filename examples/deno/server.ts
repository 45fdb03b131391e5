// credsign/http on Deno.   npm run build && CREDSIGN_TOKEN=… npx deno run --allow-net=127.0.0.1 --allow-env examples/deno/server.ts
// PORT (default 3000); CREDSIGN_TOKEN: the bearer token clients send (16+ characters);
// CREDSIGN_SERVICE_SECRET: 32+ characters (without it, a random one: keys die with the process).
import { KeyVault, MemoryStore } from 'credsign'
import { createHandler } from 'credsign/http'

// The slice of the Deno namespace used here (this repository type-checks with Node's types).
declare const Deno: {
  env: { get(name: string): string | undefined }
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown
}

const token = Deno.env.get('CREDSIGN_TOKEN')
if (!token)
  throw new Error('set CREDSIGN_TOKEN to the bearer token clients must send (16+ characters)')
const port = Number(Deno.env.get('PORT') ?? 3000)

const vault = new KeyVault({
  store: new MemoryStore(), // or FileStore (credsign/file) / PostgresStore (credsign/postgres) to keep keys
  serviceSecret:
    Deno.env.get('CREDSIGN_SERVICE_SECRET') ?? crypto.getRandomValues(new Uint8Array(32)),
})
const handler = createHandler({ vault, auth: { bearerTokens: [token] } })

Deno.serve(
  {
    port,
    hostname: '127.0.0.1',
    onListen: () => console.log(`credsign (Deno) listening on http://127.0.0.1:${port}`),
  },
  handler,
)
