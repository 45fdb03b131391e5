// Setup file of the vitest project `node-backend`: installs the node:crypto backend exactly as the
// package's `node` export condition does (dist/index.node.js), before every test file. The backend
// registry is one module instance per test file, shared with the file's own imports, so every
// test, whether it imports 'credsign' or ../../src/..., signs, verifies and runs scrypt through
// node:crypto wherever the backend takes over. The `node` project runs the same files without it.
import '../../src/index.node.js'
