/// <reference types="vite/client" />
// Known-answer tests from the W3C vc-di-eddsa and vc-di-ecdsa TestVectors (copied into
// test/fixtures/vectors, see its README): every intermediate step and, for EdDSA, the final
// proofValue byte for byte; every ECDSA vector verifies, including the three high-S signatures.
import { describe, expect, it } from 'vitest'
import {
  DataIntegritySigner,
  dataIntegrityHandler,
} from '../../src/formats/data-integrity/index.js'
import { createProof } from '../../src/formats/data-integrity/create-proof.js'
import { CRYPTOSUITES } from '../../src/formats/data-integrity/cryptosuites.js'
import { offlineDocumentLoader } from '../../src/formats/data-integrity/document-loader.js'
import { proofHashData } from '../../src/formats/data-integrity/proof-hash.js'
import {
  applyProofContext,
  documentForProof,
  proofConfigOf,
} from '../../src/formats/data-integrity/proof-document.js'
import type { CryptosuiteName, JsonLdDocument } from '../../src/formats/data-integrity/types.js'
import { verify } from '../../src/index.js'
import { verifySignature } from '../../src/keys/verify-signature.js'
import { jwkFromMultikey } from '../../src/keys/multikey.js'
import { fromB58 } from '../../src/util/base58.js'
import { clone, didKeyVm, hexOf, vectorSigner } from './di-helpers.js'

const eddsa = import.meta.glob('../fixtures/vectors/w3c-vc-di-eddsa/TestVectors/**/*.{json,txt}', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>
const ecdsa = import.meta.glob('../fixtures/vectors/w3c-vc-di-ecdsa/TestVectors/**/*.{json,txt}', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>

function file(set: Record<string, string>, root: string, path: string): string {
  const text = set[`../fixtures/vectors/${root}/TestVectors/${path}`]
  if (text === undefined) throw new Error(`missing vector ${root}/${path}`)
  return text
}
const ed = (path: string): string => file(eddsa, 'w3c-vc-di-eddsa', path).trim()
const edJson = <T = JsonLdDocument>(path: string): T => JSON.parse(ed(path)) as T
const ec = (path: string): string => file(ecdsa, 'w3c-vc-di-ecdsa', path).trim()
const ecJson = <T = JsonLdDocument>(path: string): T => JSON.parse(ec(path)) as T

const CREATED = '2023-02-24T23:36:38Z'
const loader = offlineDocumentLoader()
const noBinding = { handlers: [dataIntegrityHandler()], issuerBinding: false, checkValidity: false }

it('sees the vector files', () => {
  expect(Object.keys(eddsa).length).toBe(55)
  expect(Object.keys(ecdsa).length).toBe(63)
})

describe('w3c/vc-di-eddsa: every step and the proofValue, byte for byte', () => {
  const keyPair = edJson<{ publicKeyMultibase: string; privateKeyMultibase: string }>(
    'keyPair.json',
  )
  const vm = didKeyVm(keyPair.publicKeyMultibase)
  const cases: [CryptosuiteName, string, string, string][] = [
    ['eddsa-rdfc-2022', 'eddsa-rdfc-2022', 'DataInt', 'unsigned.json'],
    ['eddsa-rdfc-2022', 'eddsa-rdfc-2022/employ', 'DataInt', 'employmentAuth.json'],
    ['eddsa-jcs-2022', 'eddsa-jcs-2022', 'JCS', 'unsigned.json'],
    // Its input is signedEdSig.json without the proof: that document adds the ed25519-2020 context.
    ['Ed25519Signature2020', 'Ed25519Signature2020', 'EdSig', ''],
  ]
  for (const [suite, dir, suffix, input] of cases) {
    it(`${dir}: canonical document, hashes, proof configuration, signature`, async () => {
      const signer = await vectorSigner(keyPair.privateKeyMultibase, vm)
      const signed = edJson(`${dir}/signed${suffix}.json`)
      const { proof: expectedProof, ...withoutProof } = signed
      const unsigned = input === '' ? withoutProof : edJson(input)
      const { proof, steps } = await createProof(
        unsigned,
        [],
        CRYPTOSUITES[suite],
        signer,
        { verificationMethod: vm, proofPurpose: 'assertionMethod', created: CREATED },
        loader,
      )
      expect(steps.canonicalDocument.trim()).toBe(ed(`${dir}/canonDoc${suffix}.txt`))
      expect(hexOf(steps.documentHash)).toBe(ed(`${dir}/docHash${suffix}.txt`))
      expect(steps.canonicalProofConfig.trim()).toBe(ed(`${dir}/proofCanon${suffix}.txt`))
      expect(hexOf(steps.proofConfigHash)).toBe(ed(`${dir}/proofHash${suffix}.txt`))
      expect(hexOf(steps.hashData)).toBe(ed(`${dir}/combinedHash${suffix}.txt`))
      expect(hexOf(fromB58(proof.proofValue.slice(1)))).toBe(ed(`${dir}/sigHex${suffix}.txt`))
      expect(proof.proofValue).toBe(ed(`${dir}/sigBTC58${suffix}.txt`))
      // The whole proof, members and order, as published.
      expect(JSON.stringify(proof)).toBe(JSON.stringify(expectedProof))
      // And the proof configuration the vector shows is the one we hashed.
      const config = proofConfigOf(CRYPTOSUITES[suite], { ...proof }, unsigned['@context'])
      expect(config).toEqual(edJson(`${dir}/proofConfig${suffix}.json`))
    })

    it(`${dir}: the published document verifies, and one changed character does not`, async () => {
      const signed = edJson(`${dir}/signed${suffix}.json`)
      const result = await verify(signed, noBinding)
      expect(result.errors).toEqual([])
      expect(result.format).toBe('data-integrity')
      const tampered = clone(signed) as { proof: { proofValue: string } }
      const value = tampered.proof.proofValue
      tampered.proof.proofValue =
        value.slice(0, 20) + (value[20] === 'a' ? 'b' : 'a') + value.slice(21)
      const bad = await verify(tampered, noBinding)
      expect(bad.verified).toBe(false)
      expect(bad.errors.map((e) => e.code)).toEqual(['signature_invalid'])
    })
  }

  it('the whole signed documents come out of DataIntegritySigner identical to the vectors', async () => {
    const signer = await vectorSigner(keyPair.privateKeyMultibase, vm)
    const options = { created: CREATED, allowIssuerMismatch: true }
    expect(await new DataIntegritySigner(signer, options).sign(edJson('unsigned.json'))).toEqual(
      edJson('eddsa-rdfc-2022/signedDataInt.json'),
    )
    expect(
      JSON.stringify(
        await new DataIntegritySigner(signer, { ...options, cryptosuite: 'eddsa-jcs-2022' }).sign(
          edJson('unsigned.json'),
        ),
      ),
    ).toBe(JSON.stringify(edJson('eddsa-jcs-2022/signedJCS.json')))
    // Ed25519Signature2020 on the VCDM 2.0 credential: the signer adds the suite's context, as the vector's input has it.
    expect(
      await new DataIntegritySigner(signer, {
        ...options,
        cryptosuite: 'Ed25519Signature2020',
      }).sign(edJson('unsigned.json')),
    ).toEqual(edJson('Ed25519Signature2020/signedEdSig.json'))
  })
})

describe('w3c/vc-di-eddsa proof-set-chain: all 10 proofs', () => {
  const pairs = edJson<Record<string, { publicKeyMultibase: string; privateKeyMultibase: string }>>(
    'proof-set-chain/multiKeyPairs.json',
  )
  const signerOf = async (name: string) => {
    const pair = pairs[name]
    if (pair === undefined) throw new Error(name)
    return vectorSigner(pair.privateKeyMultibase, didKeyVm(pair.publicKeyMultibase))
  }
  const configOptions = (config: JsonLdDocument) => ({
    created: config.created as string,
    allowIssuerMismatch: true,
    ...(config.id === undefined ? {} : { proofId: config.id as string }),
    ...(config.previousProof === undefined
      ? {}
      : { previousProof: config.previousProof as string | string[] }),
  })

  it('a proof set, then a chain on it, reproduce signedProofSet1/2 and signedProofChain1/2 exactly', async () => {
    const unsigned = edJson('proof-set-chain/unsigned.json')
    const set1 = await new DataIntegritySigner(await signerOf('keyPair1')).sign(
      unsigned,
      configOptions(edJson('proof-set-chain/proofSetConfig1.json')),
    )
    expect(JSON.stringify(set1)).toBe(
      JSON.stringify(edJson('proof-set-chain/signedProofSet1.json')),
    )
    expect(JSON.stringify(set1.proof)).toBe(
      JSON.stringify(edJson('proof-set-chain/proofSetConfigSigned1.json')),
    )
    const set2 = await new DataIntegritySigner(await signerOf('keyPair2')).sign(
      set1,
      configOptions(edJson('proof-set-chain/proofSetConfig2.json')),
    )
    expect(JSON.stringify(set2)).toBe(
      JSON.stringify(edJson('proof-set-chain/signedProofSet2.json')),
    )
    const chain1 = await new DataIntegritySigner(await signerOf('keyPair3')).sign(
      set2,
      configOptions(edJson('proof-set-chain/proofChainConfig1.json')),
    )
    expect(JSON.stringify(chain1)).toBe(
      JSON.stringify(edJson('proof-set-chain/signedProofChain1.json')),
    )
    const chain2 = await new DataIntegritySigner(await signerOf('keyPair4')).sign(
      chain1,
      configOptions(edJson('proof-set-chain/proofChainConfig2.json')),
    )
    expect(JSON.stringify(chain2)).toBe(
      JSON.stringify(edJson('proof-set-chain/signedProofChain2.json')),
    )
  })

  it('the documents a chained proof signs are the published proofChainTempDoc1/2', () => {
    const chain2 = edJson('proof-set-chain/signedProofChain2.json')
    const proofs = chain2.proof as JsonLdDocument[]
    expect(documentForProof(chain2, proofs, proofs[2]?.previousProof)).toEqual(
      edJson('proof-set-chain/proofChainTempDoc1.json'),
    )
    expect(documentForProof(chain2, proofs, proofs[3]?.previousProof)).toEqual(
      edJson('proof-set-chain/proofChainTempDoc2.json'),
    )
  })

  for (const name of [
    'signedProofSet1',
    'signedProofSet2',
    'signedProofChain1',
    'signedProofChain2',
  ]) {
    it(`${name} verifies (every proof)`, async () => {
      const result = await verify(edJson(`proof-set-chain/${name}.json`), noBinding)
      expect(result.errors).toEqual([])
      const proofs = [edJson(`proof-set-chain/${name}.json`).proof].flat()
      expect(result.checks.filter((c) => c.name === 'signature' && c.passed)).toHaveLength(
        proofs.length,
      )
    })
  }
})

describe('w3c/vc-di-ecdsa: every hash exact, every signature verifies (high-S included), ours are low-S', () => {
  const keys = {
    'P-256': ecJson<{ publicKeyMultibase: string; secretKeyMultibase: string }>('p256KeyPair.json'),
    'P-384': ecJson<{ publicKeyMultibase: string; secretKeyMultibase: string }>('p384KeyPair.json'),
  }
  const cases: [CryptosuiteName, 'P-256' | 'P-384', string, string, string][] = [
    ['ecdsa-rdfc-2019', 'P-256', 'ecdsa-rdfc-2019-p256', 'ECDSAP256', 'unsigned.json'],
    ['ecdsa-rdfc-2019', 'P-256', 'ecdsa-rdfc-2019-p256/employ', 'ECDSAP256', 'employmentAuth.json'],
    ['ecdsa-rdfc-2019', 'P-384', 'ecdsa-rdfc-2019-p384', 'ECDSAP384', 'unsigned.json'],
    ['ecdsa-rdfc-2019', 'P-384', 'ecdsa-rdfc-2019-p384/employ', 'ECDSAP384', 'employmentAuth.json'],
    ['ecdsa-jcs-2019', 'P-256', 'ecdsa-jcs-2019-p256', 'JCSECDSAP256', 'unsigned.json'],
    ['ecdsa-jcs-2019', 'P-384', 'ecdsa-jcs-2019-p384', 'JCSECDSAP384', 'unsigned.json'],
  ]
  const order = {
    'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    'P-384':
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  }
  const sOf = (sig: Uint8Array): bigint => BigInt(`0x${hexOf(sig.subarray(sig.length / 2))}`)
  let highS = 0

  for (const [suite, curve, dir, suffix, input] of cases) {
    it(`${dir}: canonical forms and hashes exact; the published signature verifies`, async () => {
      const signed = ecJson(`${dir}/signed${suffix}.json`)
      const proof = signed.proof as JsonLdDocument
      const unsigned = ecJson(input)
      const config = proofConfigOf(CRYPTOSUITES[suite], proof, unsigned['@context'])
      const steps = await proofHashData(
        CRYPTOSUITES[suite],
        curve,
        applyProofContext(unsigned, proof),
        config,
        loader,
      )
      expect(steps.canonicalDocument.trim()).toBe(ec(`${dir}/canonDoc${suffix}.txt`))
      expect(hexOf(steps.documentHash)).toBe(ec(`${dir}/docHash${suffix}.txt`))
      expect(steps.canonicalProofConfig.trim()).toBe(ec(`${dir}/proofCanon${suffix}.txt`))
      expect(hexOf(steps.proofConfigHash)).toBe(ec(`${dir}/proofHash${suffix}.txt`))
      expect(hexOf(steps.hashData)).toBe(ec(`${dir}/combinedHash${suffix}.txt`))
      const { proofValue: _v, ...withoutValue } = proof
      expect(proofConfigOf(CRYPTOSUITES[suite], withoutValue, unsigned['@context'])).toEqual(
        ecJson(`${dir}/proofConfig${suffix}.json`),
      )
      const signature = fromB58((proof.proofValue as string).slice(1))
      expect(hexOf(signature)).toBe(ec(`${dir}/sigHex${suffix}.txt`))
      if (sOf(signature) > order[curve] / 2n) highS += 1
      expect(
        await verifySignature(
          jwkFromMultikey(keys[curve].publicKeyMultibase),
          steps.hashData,
          signature,
        ),
      ).toBe(true)

      const result = await verify(signed, noBinding)
      expect(result.errors).toEqual([])
      const tampered = clone(signed) as {
        credentialSubject?: Record<string, unknown>
        proof: JsonLdDocument
      }
      tampered.proof.created = '2023-02-24T23:36:39Z'
      expect((await verify(tampered, noBinding)).errors.map((e) => e.code)).toEqual([
        'signature_invalid',
      ])
    })

    it(`${dir}: our proof over the same input has the same hashes, is low-S, and verifies`, async () => {
      const signed = ecJson(`${dir}/signed${suffix}.json`)
      const proof = signed.proof as JsonLdDocument
      const signer = await vectorSigner(
        keys[curve].secretKeyMultibase,
        proof.verificationMethod as string,
      )
      const ours = await createProof(
        ecJson(input),
        [],
        CRYPTOSUITES[suite],
        signer,
        {
          verificationMethod: proof.verificationMethod as string,
          proofPurpose: 'assertionMethod',
          created: proof.created as string,
        },
        loader,
      )
      expect(hexOf(ours.steps.hashData)).toBe(ec(`${dir}/combinedHash${suffix}.txt`))
      const signature = fromB58(ours.proof.proofValue.slice(1))
      expect(signature.length).toBe(curve === 'P-256' ? 64 : 96)
      expect(sOf(signature) <= order[curve] / 2n).toBe(true)
      expect(
        await verifySignature(
          jwkFromMultikey(keys[curve].publicKeyMultibase),
          ours.steps.hashData,
          signature,
        ),
      ).toBe(true)
      expect(
        (await verify({ ...ecJson<JsonLdDocument>(input), proof: ours.proof }, noBinding)).errors,
      ).toEqual([])
    })
  }

  it('three of the published signatures are high-S, as the vectors README says', () => {
    expect(highS).toBe(3)
  })
})
