import { build } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

/** The public entry points, by output name (dist/<name>.js). */
const ENTRIES = {
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
} as const

/** Packages the package imports at run time (dependencies, optional peers) or Node provides. */
const EXTERNAL = [
  /^@noble\//,
  /^@scure\//,
  'jose',
  'pg',
  'jsonld',
  /^jsonld\//,
  'rdf-canonize',
  /^node:/,
]

/**
 * Every source module the browser-facing entry points reach (statically or by `import()`), found by
 * bundling them once in memory: the entries of the per-module build below.
 */
async function reachableModules(): Promise<string[]> {
  const result = await build({
    entryPoints: Object.entries(ENTRIES)
      .filter(([name]) => name !== 'cli' && name !== 'index.node')
      .map(([, path]) => path),
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    outdir: 'dist/esm',
    // EXTERNAL as esbuild's API takes it (patterns, not RegExps).
    external: [
      '@noble/*',
      '@scure/*',
      'jose',
      'pg',
      'jsonld',
      'jsonld/*',
      'rdf-canonize',
      'node:*',
    ],
    logLevel: 'error',
  })
  return Object.keys(result.metafile.inputs)
    .filter((path) => path.startsWith('src/') && path.endsWith('.ts'))
    .sort()
}

const bundled: Options = {
  entry: ENTRIES,
  format: ['esm', 'cjs'],
  dts: true,
  // Maps point into src/ by path but carry no copy of it (sourcesContent): they were most of the
  // tarball. Stack traces still map to file and line; the sources are in the repository.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false
  },
  // dist/esm is the per-module build's, which cleans it itself (the two builds run at once).
  clean: ['**/*', '!esm/**'],
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
  external: EXTERNAL,
}

/**
 * The ESM that bundlers get (the `import` condition without `node`: browsers, workers): one file
 * per source module (every module an entry point; zod, bundled, in chunks of its own), so an app's
 * bundler drops every module the app does not reach. The bundled build above merges modules into
 * chunks by which entry points reach them, and a bundler cannot drop a module inside a chunk the
 * app loads, nor stop a package one of them imports from joining the initial load once any lazy
 * chunk uses it (`JwtVcSigner + createVerifier(joseHandler)`: 42.2 KB gz from the chunks, 34.2 from
 * the sources). Node, Deno and Bun keep the bundled build (the `node` condition): a cold `import()`
 * of the per-module build takes Node about twice as long (~135 ms vs ~68, 280 files).
 */
async function perModule(): Promise<Options> {
  return {
    entry: await reachableModules(),
    outDir: 'dist/esm',
    clean: true,
    format: ['esm'],
    dts: false,
    sourcemap: false,
    splitting: true,
    treeshake: false,
    target: 'es2022',
    platform: 'neutral',
    removeNodeProtocol: false,
    external: EXTERNAL,
  }
}

export default defineConfig(async () => [bundled, await perModule()])
