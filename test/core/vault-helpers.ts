// Shared pieces of the vault tests: a vault on a MemoryStore with a cheap KDF, and the code of a rejection.
import { CredsignError, KeyVault, MemoryStore, type KeyVaultOptions } from 'credsign'

export const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 } as const
export const SERVICE_SECRET = 'service-secret-for-tests-only-0123456789abcdef'
export const data = new TextEncoder().encode('credsign test message')

export function makeVault(overrides: Partial<KeyVaultOptions> = {}): KeyVault {
  return new KeyVault({
    store: new MemoryStore(),
    serviceSecret: SERVICE_SECRET,
    kdf: CHEAP_KDF,
    ...overrides,
  })
}

/** The CredsignError code a promise rejects with, or 'resolved'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CredsignError) return error.code
    throw error
  }
  return 'resolved'
}
