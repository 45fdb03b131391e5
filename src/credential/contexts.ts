/**
 * The base context of VCDM 1.1 credentials and presentations: the first `@context` entry of every
 * VCDM 1.1 document.
 *
 * @example
 *
 * ```ts
 * import { VC_V1_CONTEXT } from 'credsign'
 * const credential = { '@context': [VC_V1_CONTEXT], type: ['VerifiableCredential'] }
 * ```
 */
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1'

/**
 * The base context of VCDM 2.0 credentials and presentations: the first `@context` entry of every
 * VCDM 2.0 document.
 *
 * @example
 *
 * ```ts
 * import { VC_V2_CONTEXT } from 'credsign'
 * const credential = { '@context': [VC_V2_CONTEXT], type: ['VerifiableCredential'] }
 * ```
 */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2'
