import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { fileURLToPath } from 'node:url'

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const alias = {
  'credsign/data-integrity': fileURLToPath(
    new URL('./src/formats/data-integrity/index.ts', import.meta.url),
  ),
  'credsign/file': fileURLToPath(new URL('./src/file/index.ts', import.meta.url)),
  'credsign/postgres': fileURLToPath(new URL('./src/postgres/index.ts', import.meta.url)),
  'credsign/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
  'credsign/http': fileURLToPath(new URL('./src/http/index.ts', import.meta.url)),
  'credsign/adapters': fileURLToPath(new URL('./src/adapters/index.ts', import.meta.url)),
  credsign: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
}
/**
 * `credsign` as Node resolves it: the `node` export condition's entry, with the node:crypto
 * backend.
 */
const nodeAlias = {
  ...alias,
  credsign: fileURLToPath(new URL('./src/index.node.ts', import.meta.url)),
}

/** Browser mode on Debian's Chromium (no browser download); CHROMIUM_PATH overrides the binary. */
const chromium = {
  enabled: true,
  headless: true,
  screenshotFailures: false,
  instances: [{ browser: 'chromium' as const }],
  provider: playwright({
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
  }),
}

export default defineConfig({
  resolve: { alias },
  // jsonld and rdf-canonize are imported dynamically (only when an rdfc suite runs): pre-bundle them so
  // the browser projects do not discover them mid-run and reload the page (a failed test file import).
  optimizeDeps: { include: ['jsonld', 'rdf-canonize', 'jsonld/lib/ContextResolver.js'] },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          // core/ runs in Node and in Chromium; node/ needs Node APIs (files, child processes).
          include: ['test/core/**/*.test.ts', 'test/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same tests on the node:crypto backend, which `import 'credsign'` gets on Node through the
        // `node` export condition (the `node` project above keeps testing WebCrypto/noble). The setup
        // file installs it, so tests importing ../../src/ use it too. FileStore tests exercise files,
        // not crypto; backend-*.test.ts compare both paths themselves (in the `node` project).
        resolve: { alias: nodeAlias },
        test: {
          name: 'node-backend',
          environment: 'node',
          include: ['test/core/**/*.test.ts', 'test/node/**/*.test.ts'],
          // custody-hunt.test.ts counts KDF runs by mocking envelope/stretch.js, which this project's
          // setup file has already loaded unmocked (its properties are the vault's, not a backend's).
          exclude: [
            'test/node/file-store*.test.ts',
            'test/node/backend-*.test.ts',
            'test/node/custody-hunt.test.ts',
          ],
          setupFiles: ['test/setup/node-backend.ts'],
          env: { CREDSIGN_TEST_BACKEND: 'node' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // A real PostgreSQL at DATABASE_URL (`npm test` starts a throwaway one; `npm run test:pg` uses
        // yours). Each file has its own schema; files run one at a time because the fault tests stop
        // and start their server and the race tests add child processes' connections.
        resolve: { alias },
        test: {
          name: 'pg',
          environment: 'node',
          include: ['test/pg/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        // A fresh `instances` array per project: vitest names the shared instance object after the first project.
        test: {
          name: 'browser',
          include: ['test/core/**/*.test.ts'],
          testTimeout: 60_000,
          browser: { ...chromium, instances: [{ browser: 'chromium' as const }] },
        },
      },
      {
        // The BUILT package (dist/, from `npx tsup`) in Chromium: no aliases, the tests import
        // ../../dist/*.js. `npm test` builds first; alone: `npx tsup && npx vitest run --project browser-dist`.
        test: {
          name: 'browser-dist',
          include: ['rt/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: { ...chromium, instances: [{ browser: 'chromium' as const }] },
        },
      },
    ],
  },
})
