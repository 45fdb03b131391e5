// Checks of a credential or presentation that do not depend on how it is secured, shared by the
// JOSE and Data Integrity handlers of verify(): the data model, the validity period and the
// credentials embedded in a presentation.
import type { ResolvedKey } from '../resolve/types.js'
import type { VerificationResult, VerifyContext, VerifyOptions } from './types.js'
import { parseDateTime } from '../credential/date-time.js'
import { verifyEmbedded } from './embedded.js'
import type { ResultBuilder } from './result-builder.js'
import type { JsonObject, ValidationProblem } from '../credential/types.js'
import { credentialProblems } from '../credential/validate-credential.js'
import { presentationProblems } from '../credential/validate-presentation.js'
import { asList } from '../credential/validate-shared.js'
import { dataModelVersion } from '../credential/data-model-version.js'

/**
 * Records the `credential` / `presentation` check: the data model, never strict (a verifier
 * reports, it does not police extensions); `jsonLd`: the document is processed as JSON-LD (Data
 * Integrity), which checks protected terms itself. @internal
 */
export function checkDocumentModel(
  kind: 'credential' | 'presentation',
  document: JsonObject,
  builder: ResultBuilder,
  extraProblems: ValidationProblem[] = [],
  jsonLd = false,
): void {
  const problems = [...extraProblems]
  if (problems.length === 0) {
    problems.push(
      ...(kind === 'credential'
        ? credentialProblems(document, { strict: false, jsonLd })
        : presentationProblems(document, { strict: false, checkCredentials: false, jsonLd })),
    )
  }
  if (problems.length === 0) {
    builder.pass(kind, `VCDM ${dataModelVersion(document) ?? '?'} data model`)
    return
  }
  const [first, ...rest] = problems
  if (first) builder.fail(kind, 'credential_invalid', first.message, first.path || undefined)
  for (const problem of rest)
    builder.issue('credential_invalid', problem.message, problem.path || undefined)
}

/**
 * A credential's own validity period (`validFrom` / `validUntil`, or VCDM 1.1 `issuanceDate` /
 * `expirationDate`) against the verifier's clock. Records a failed `validity` check and returns
 * false when it is not valid now; records nothing when it is.
 *
 * @internal
 */
export function checkCredentialPeriod(
  document: JsonObject,
  now: number,
  toleranceSeconds: number,
  builder: ResultBuilder,
): boolean {
  const v2 = dataModelVersion(document) === '2.0'
  const fromName = v2 ? 'validFrom' : 'issuanceDate'
  const untilName = v2 ? 'validUntil' : 'expirationDate'
  const from = parseDateTime(document[fromName])
  const until = parseDateTime(document[untilName])
  if (from !== undefined && now < from - toleranceSeconds * 1000) {
    builder.fail(
      'validity',
      'not_yet_valid',
      `the credential is not valid before ${fromName} ${clip(String(document[fromName]))}`,
      fromName,
    )
    return false
  }
  if (until !== undefined && now >= until + toleranceSeconds * 1000) {
    builder.fail(
      'validity',
      'expired',
      `the credential expired at ${untilName} ${clip(String(document[untilName]))}`,
      untilName,
    )
    return false
  }
  return true
}

/**
 * Verifies every credential of a presentation through `context.verify` and records the
 * `credentials` check. @internal
 */
export async function checkEmbeddedCredentials(
  presentation: JsonObject,
  options: VerifyOptions,
  context: VerifyContext,
  builder: ResultBuilder,
): Promise<void> {
  const entries =
    presentation.verifiableCredential === undefined ? [] : asList(presentation.verifiableCredential)
  if (options.verifyEmbedded === false) {
    builder.pass(
      'credentials',
      `${entries.length} embedded credential(s) not verified (verifyEmbedded: false)`,
    )
    return
  }
  const version = dataModelVersion(presentation)
  const results: VerificationResult[] = []
  let failures = 0
  for (const [index, entry] of entries.entries()) {
    const path = Array.isArray(presentation.verifiableCredential)
      ? `verifiableCredential[${index}]`
      : 'verifiableCredential'
    const outcome = await verifyEmbedded(entry, version, options, context)
    results.push(outcome.result)
    if (outcome.reason !== undefined) {
      failures += 1
      builder.issue('embedded_credential_invalid', `${path}: ${outcome.reason}`, path)
    }
  }
  builder.extra.credentials = results
  const detail = `${entries.length - failures} of ${entries.length} embedded credential(s) verified`
  builder.checks.push(
    failures === 0
      ? { name: 'credentials', passed: true, detail }
      : { name: 'credentials', passed: false, detail },
  )
}

/**
 * Records `issuer_binding` (the key that verified is controlled by the issuer of a credential, or
 * the holder of a presentation; `issuerBinding: false` skips it) and, when the resolver knows the
 * key's DID relationships, `key_purpose` (`assertionMethod` for issuers, `authentication` for
 * holders). `role` undefined: a plain JWT, bound to its `iss` when it has one. Used by every
 * handler whose document has one signature (JOSE, SD-JWT); Data Integrity binds across a proof
 * set.
 *
 * @internal
 */
export function checkPartyBinding(
  party: string | undefined,
  role: 'issuer' | 'holder' | undefined,
  key: ResolvedKey,
  options: VerifyOptions,
  builder: ResultBuilder,
): void {
  const named = role === 'issuer' ? 'issuer' : 'holder'
  if (options.issuerBinding === false) {
    builder.pass('issuer_binding', 'not checked (issuerBinding: false)')
  } else if (party === undefined) {
    // A presentation without holder or a JWT without iss names nobody to bind to.
    if (role !== undefined) builder.pass('issuer_binding', `no ${role} to bind`)
  } else if (key.controller === undefined) {
    builder.fail(
      'issuer_binding',
      'issuer_mismatch',
      "nothing says who controls the key that verified: give the resolver the key's controller (e.g. staticResolver(keys, { controller })) or pass issuerBinding: false",
    )
  } else if (key.controller !== party) {
    builder.fail(
      'issuer_binding',
      'issuer_mismatch',
      `the key is controlled by ${clip(key.controller)}, not by the ${named} ${clip(party)}`,
    )
  } else {
    builder.pass('issuer_binding', party)
  }

  if (role !== undefined && Array.isArray(key.relationships)) {
    const purpose = role === 'issuer' ? 'assertionMethod' : 'authentication'
    if (key.relationships.includes(purpose)) builder.pass('key_purpose', purpose)
    else
      builder.fail(
        'key_purpose',
        'key_not_authorized',
        `the controller document does not list the key under ${purpose}`,
      )
  }
}

/** A value quoted for a message, cut at 120 characters. @internal */
export function clip(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}
