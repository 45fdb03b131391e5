import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'file/index': 'src/file/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared chunks: every entry point uses the same module instances (one CredsignError class,
  // one set of internals) instead of bundling private copies.
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^@noble\//, /^@scure\//, 'jose', 'pg', /^node:/],
})
