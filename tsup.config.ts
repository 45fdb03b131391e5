import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    // The `node` export condition's entry: the same API with the node:crypto backend installed.
    'index.node': 'src/index.node.ts',
    // Data Integrity: JSON-LD (jsonld, rdf-canonize) is only imported from here, and lazily.
    'data-integrity/index': 'src/formats/data-integrity/index.ts',
    'file/index': 'src/file/index.ts',
    'postgres/index': 'src/postgres/index.ts',
    'testing/index': 'src/testing/index.ts',
    // The HTTP adapter: web-standard handler, node:http listener (no Node imports).
    'http/index': 'src/http/index.ts',
    // Vault keys for jose, @sd-jwt and Digital Bazaar code (none of them a dependency).
    'adapters/index': 'src/adapters/index.ts',
    // The `credsign` command line (package.json "bin").
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // Maps point into src/ by path but carry no copy of it (sourcesContent): they were most of the
  // tarball. Stack traces still map to file and line; the sources are in the repository.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  clean: true,
  // Shared chunks: every entry point uses the same module instances (one CredsignError class,
  // one set of internals) instead of bundling private copies.
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  // Keep `node:crypto` / `node:fs` as written: Deno and Bun resolve node: specifiers directly.
  removeNodeProtocol: false,
  // jsonld and rdf-canonize are optional peers (only the rdfc cryptosuites load them, lazily, with a
  // clear error when absent). zod is NOT listed: it is a devDependency bundled into the chunk that
  // only credsign/http and the CLI load, so `npm install credsign` does not install 8 MB of it and
  // nothing else ever loads it (its licence: THIRD-PARTY-NOTICES.md).
  external: [
    /^@noble\//,
    /^@scure\//,
    'jose',
    'pg',
    'jsonld',
    /^jsonld\//,
    'rdf-canonize',
    /^node:/,
  ],
})
