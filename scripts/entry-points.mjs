// The package's entry points: import name, source entry, and the built declarations
// (package.json "exports", tsup.config.ts). Shared by check-examples.mjs and compile-examples.mjs.
export const ENTRY_POINTS = [
  { name: 'credsign', source: 'src/index.ts', types: 'dist/index.d.ts' },
  {
    name: 'credsign/data-integrity',
    source: 'src/formats/data-integrity/index.ts',
    types: 'dist/data-integrity/index.d.ts',
  },
  { name: 'credsign/file', source: 'src/file/index.ts', types: 'dist/file/index.d.ts' },
  { name: 'credsign/postgres', source: 'src/postgres/index.ts', types: 'dist/postgres/index.d.ts' },
  { name: 'credsign/testing', source: 'src/testing/index.ts', types: 'dist/testing/index.d.ts' },
  { name: 'credsign/http', source: 'src/http/index.ts', types: 'dist/http/index.d.ts' },
  { name: 'credsign/adapters', source: 'src/adapters/index.ts', types: 'dist/adapters/index.d.ts' },
]
