/**
 * Which implementation the entry points select. Runs in both Node projects:
 *
 * - `node`: src/index.ts installs nothing (WebCrypto / noble); importing src/index.node.ts (what the
 *   package's `node` export condition loads) installs node:crypto.
 * - `node-backend` (CREDSIGN_TEST_BACKEND=node): the setup file already installed it, and files that
 *   import ../../src/ directly (not `credsign`) get it too.
 */
import { describe, expect, it, vi } from 'vitest'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import * as core from '../../src/index.js'
import { cryptoBackend } from '../../src/keys/backend.js'
import { stretch } from '../../src/envelope/stretch.js'

const preinstalled = process.env.CREDSIGN_TEST_BACKEND === 'node'
const data = new TextEncoder().encode('entry selection')

async function handleBackend(): Promise<string> {
  const material = await core.generateKeyPair('Ed25519')
  return (await core.loadPrivateKey('Ed25519', material.pkcs8)).backend
}

describe('entry points', () => {
  it(
    preinstalled
      ? 'the node-backend project runs on node:crypto'
      : 'src/index.ts alone uses WebCrypto / noble',
    async () => {
      expect(cryptoBackend()?.name).toBe(preinstalled ? 'node' : undefined)
      expect(await handleBackend()).toBe(preinstalled ? 'node' : 'webcrypto')
    },
  )

  it('src/index.node.ts installs node:crypto and exports exactly what src/index.ts exports', async () => {
    const nodeEntry = await import('../../src/index.node.js')
    expect(cryptoBackend()?.name).toBe('node')
    expect(await handleBackend()).toBe('node')
    expect(Object.keys(nodeEntry).sort()).toEqual(Object.keys(core).sort())
    for (const name of Object.keys(core))
      expect((nodeEntry as Record<string, unknown>)[name], name).toBe(
        (core as Record<string, unknown>)[name],
      )
  })

  it('with it installed, loadPrivateKey / verifySignature / scrypt go through it, and `noble` still forces noble', async () => {
    await import('../../src/index.node.js')
    const backend = cryptoBackend()
    if (backend === undefined) throw new Error('not installed')
    const scrypt = vi.spyOn(backend, 'scrypt')
    const verify = vi.spyOn(backend, 'verify')
    try {
      const password = new Uint8Array([1, 2, 3])
      const salt = new Uint8Array(16)
      const out = await stretch({ id: 'scrypt', N: 1024, r: 8, p: 1 }, password, salt)
      expect(scrypt).toHaveBeenCalledTimes(1)
      expect(out).toEqual(await scryptAsync(password, salt, { N: 1024, r: 8, p: 1, dkLen: 32 }))

      const material = await core.generateKeyPair('secp256k1')
      const key = await core.loadPrivateKey('secp256k1', material.pkcs8)
      expect(key.backend).toBe('node')
      const signature = await key.sign(data)
      expect(await core.verifySignature(material.publicJwk, data, signature)).toBe(true)
      expect(verify).toHaveBeenCalledTimes(1)
      expect(
        await core.verifySignature(material.publicJwk, data, signature, { backend: 'noble' }),
      ).toBe(true)
      expect(verify).toHaveBeenCalledTimes(1)
      expect(
        (await core.loadPrivateKey('secp256k1', material.pkcs8, { backend: 'noble' })).backend,
      ).toBe('noble')
    } finally {
      scrypt.mockRestore()
      verify.mockRestore()
    }
  })
})
