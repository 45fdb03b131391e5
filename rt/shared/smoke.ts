// Runtime-neutral smoke checks of the BUILT package (dist/). Deno (rt/deno), Bun (rt/bun) and
// Chromium (rt/browser) each register these with their own native test runner. Plain throws, no
// assertion library, so the same file runs everywhere. Not part of `tsc` (see tsconfig include).

/** The slice of `credsign` the smoke tests touch. */
export interface Credsign {
  KeyVault: new (options: Record<string, unknown>) => {
    generate(options: { id: string; algorithm: string; secrets: string[] }): Promise<unknown>
    unlock(
      id: string,
      secrets: string[],
    ): Promise<{
      id: string
      algorithm: string
      publicJwk: Record<string, unknown>
      sign(data: Uint8Array): Promise<Uint8Array>
      lock(): unknown
    }>
  }
  MemoryStore: new () => unknown
  CredsignError: { is(error: unknown, code?: string): boolean } & (new (...args: never[]) => Error)
  verifySignature(publicJwk: unknown, data: Uint8Array, signature: Uint8Array): Promise<boolean>
  didKeyFromJwk(publicJwk: never): unknown
}

export const ALGORITHMS = ['Ed25519', 'P-256', 'P-384', 'secp256k1', 'RSA-PSS'] as const

/** A cheap KDF so the smoke tests take milliseconds, not seconds. */
export const CHEAP_KDF = { id: 'pbkdf2-sha256', iterations: 1000 }

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`smoke check failed: ${message}`)
}

export function newVault(lib: Credsign, store: unknown = new lib.MemoryStore()) {
  return new lib.KeyVault({
    store,
    serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    kdf: CHEAP_KDF,
  })
}

/** Generate → unlock → sign → verify (and a tampered message must not verify). */
export async function roundTrip(lib: Credsign, algorithm: string, store?: unknown): Promise<void> {
  const vault = newVault(lib, store)
  const id = `smoke-${algorithm.toLowerCase()}`
  await vault.generate({ id, algorithm, secrets: ['s1', 's2'] })
  const signer = await vault.unlock(id, ['s1', 's2'])
  check(signer.id === id, `signer.id is ${signer.id}`)
  check(signer.algorithm === algorithm, `signer.algorithm is ${signer.algorithm}`)
  check(typeof signer.publicJwk === 'object' && signer.publicJwk !== null, 'publicJwk is an object')
  check(!('d' in signer.publicJwk), 'publicJwk carries no private part')
  const data = new TextEncoder().encode(`hello from ${algorithm}`)
  const signature = await signer.sign(data)
  check(signature instanceof Uint8Array && signature.length > 0, 'sign() gives bytes')
  check(
    (await lib.verifySignature(signer.publicJwk, data, signature)) === true,
    'signature verifies',
  )
  const tampered = new TextEncoder().encode(`hello from ${algorithm}!`)
  check(
    (await lib.verifySignature(signer.publicJwk, tampered, signature)) === false,
    'tampered data does not verify',
  )
  if (algorithm === 'Ed25519') {
    const did = await lib.didKeyFromJwk(signer.publicJwk as never)
    check(
      typeof did === 'string' && did.startsWith('did:key:z6Mk'),
      `did:key of an Ed25519 key: ${String(did)}`,
    )
  }
  await signer.lock()
}

/** Wrong secrets are refused with the stable code `wrong_secrets`. */
export async function wrongSecrets(lib: Credsign): Promise<void> {
  const vault = newVault(lib)
  await vault.generate({ id: 'smoke-wrong', algorithm: 'Ed25519', secrets: ['s1'] })
  let caught: unknown
  try {
    await vault.unlock('smoke-wrong', ['wrong'])
  } catch (error) {
    caught = error
  }
  check(caught !== undefined, 'unlock with wrong secrets rejects')
  check(caught instanceof lib.CredsignError, `rejects with a CredsignError, got ${String(caught)}`)
  check(
    lib.CredsignError.is(caught, 'wrong_secrets'),
    `code is wrong_secrets, got ${(caught as { code?: string }).code}`,
  )
  // The right secrets still open the key afterwards.
  const signer = await vault.unlock('smoke-wrong', ['s1'])
  check(signer.id === 'smoke-wrong', 'right secrets still unlock')
}

/** The slice of `credsign/data-integrity` the smoke tests touch. */
export interface CredsignDataIntegrity {
  DataIntegritySigner: new (
    signer: unknown,
    options?: Record<string, unknown>,
  ) => {
    sign(
      document: Record<string, unknown>,
      options?: Record<string, unknown>,
    ): Promise<Record<string, unknown>>
  }
  dataIntegrityHandler(): unknown
}

/** Sign a credential with Data Integrity (an rdfc and a jcs suite) and verify it through verify(). */
export async function dataIntegrityRoundTrip(
  lib: Credsign,
  di: CredsignDataIntegrity,
  cryptosuite: string,
): Promise<void> {
  const core = lib as unknown as {
    asDidSigner(signer: unknown): unknown
    verify(
      input: unknown,
      options: Record<string, unknown>,
    ): Promise<{ verified: boolean; format: string; errors: { code: string }[] }>
  }
  const vault = newVault(lib)
  await vault.generate({
    id: 'di',
    algorithm: cryptosuite.startsWith('ecdsa') ? 'P-256' : 'Ed25519',
    secrets: ['s1'],
  })
  const signer = core.asDidSigner(await vault.unlock('di', ['s1']))
  const credential = {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://www.w3.org/ns/credentials/examples/v2',
    ],
    type: ['VerifiableCredential', 'AlumniCredential'],
    credentialSubject: { id: 'did:example:alice', alumniOf: 'The School of Examples' },
  }
  const secured = await new di.DataIntegritySigner(signer, { cryptosuite }).sign(credential)
  const result = await core.verify(secured, { handlers: [di.dataIntegrityHandler()] })
  check(
    result.verified && result.format === 'data-integrity',
    `${cryptosuite}: ${JSON.stringify(result.errors)}`,
  )
  const forged = {
    ...secured,
    credentialSubject: { id: 'did:example:alice', alumniOf: 'Another School' },
  }
  const bad = await core.verify(forged, { handlers: [di.dataIntegrityHandler()] })
  check(
    !bad.verified && bad.errors[0]?.code === 'signature_invalid',
    `${cryptosuite}: a changed claim fails`,
  )
}
