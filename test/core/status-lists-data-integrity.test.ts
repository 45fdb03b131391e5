// A Bitstring Status List secured with Data Integrity instead of a vc+jwt: the unsigned credential
// of StatusLists.statusListCredential() signed by DataIntegritySigner, verified by verify(), and
// credsign's own status check turning down a revoked credential against it.
import { describe, expect, it } from 'vitest'
import {
  createStatusListResolver,
  MemoryStatusListStore,
  StatusLists,
  verify,
} from '../../src/index.js'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import { didSigner } from './vc-helpers.js'

const handlers = [dataIntegrityHandler()]
const URL_ = 'https://issuer.example/status/di-1'

describe('StatusLists with Data Integrity', () => {
  it('an eddsa-rdfc-2022 BitstringStatusListCredential verifies, and a revoked entry is refused with it', async () => {
    const signer = await didSigner('Ed25519')
    const issuer = signer.id.split('#')[0] as string
    const lists = new StatusLists({ store: new MemoryStatusListStore(), issuer })
    await lists.createList({ id: 'di', kind: 'bitstring', purpose: 'revocation', url: URL_ })
    const entry = await lists.allocate('di')
    const other = await lists.allocate('di')
    if (entry.kind !== 'bitstring' || other.kind !== 'bitstring') throw new Error('kind')
    const diSigner = new DataIntegritySigner(signer, { cryptosuite: 'eddsa-rdfc-2022' })
    const credential = (status: unknown) =>
      diSigner.sign({
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:example:alice' },
        credentialStatus: status,
      })
    const revoked = await credential(entry.credentialStatus)
    const kept = await credential(other.credentialStatus)
    await lists.revoke('di', entry.index)

    const list = await diSigner.sign(await lists.statusListCredential('di'))
    const listResult = await verify(list, { handlers })
    expect(listResult.errors).toEqual([])
    expect(listResult.verified).toBe(true)

    const statusLists = createStatusListResolver({ lists: { [URL_]: list } })
    const refused = await verify(revoked, { handlers, statusLists })
    expect(refused.verified).toBe(false)
    expect(refused.errors.map((e) => e.code)).toContain('status_revoked')
    const accepted = await verify(kept, { handlers, statusLists })
    expect(accepted.errors).toEqual([])
    expect(accepted.verified).toBe(true)
  })
})
