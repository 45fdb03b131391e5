import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { fileURLToPath } from 'node:url'

const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
const alias = {
  'credsign/file': fileURLToPath(new URL('./src/file/index.ts', import.meta.url)),
  'credsign/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
  credsign: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
}

/** Browser mode on Debian's Chromium (no browser download); CHROMIUM_PATH overrides the binary. */
const chromium = {
  enabled: true,
  headless: true,
  screenshotFailures: false,
  instances: [{ browser: 'chromium' as const }],
  provider: playwright({
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
  }),
}

export default defineConfig({
  resolve: { alias },
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
        resolve: { alias },
        test: { name: 'browser', include: ['test/core/**/*.test.ts'], testTimeout: 60_000, browser: chromium },
      },
      {
        // The BUILT package (dist/, from `npx tsup`) in Chromium: no aliases, the tests import
        // ../../dist/*.js. `npm test` builds first; alone: `npx tsup && npx vitest run --project browser-dist`.
        test: { name: 'browser-dist', include: ['rt/browser/**/*.test.ts'], testTimeout: 60_000, browser: chromium },
      },
    ],
  },
})
