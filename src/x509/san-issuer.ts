import type { SubjectAltNames } from './extensions.js'

/**
 * Whether the leaf certificate's subjectAltName names `issuer` (the `iss` of an SD-JWT VC, the
 * issuer of a credential): for an `https` issuer, a dNSName entry equal to its host (any case) or a
 * uniformResourceIdentifier entry equal to the whole `iss`; for any other issuer, a
 * uniformResourceIdentifier entry equal to it. This is the rule of SD-JWT VC drafts 04 to 08
 * (section 3.5, "X.509 Certificates"); later drafts let ecosystems decide, and credsign keeps the
 * binding: a certificate for one issuer never vouches for another's `iss`.
 *
 * @example
 *
 * ```ts
 * const san = { dns: ['issuer.example'], uri: [], email: [], ip: [], other: 0 }
 * sanNamesIssuer('https://issuer.example/tenant/1', san) // true
 * sanNamesIssuer('https://evil.example', san) // false
 * ```
 *
 * @internal
 */
export function sanNamesIssuer(issuer: string, san: SubjectAltNames | undefined): boolean {
  if (san === undefined) return false
  if (san.uri.includes(issuer)) return true
  if (!/^https:\/\//i.test(issuer)) return false
  let host: string
  try {
    host = new URL(issuer).hostname.toLowerCase()
  } catch {
    return false
  }
  return host !== '' && san.dns.some((name) => name.toLowerCase() === host)
}
