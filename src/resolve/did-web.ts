import { CredsignError } from '../errors/credsign-error.js'
import { isDid } from '../did/did-url.js'
import { isLoopbackHost } from './options.js'

/**
 * Options of {@link didWebUrl}.
 *
 * @example
 *
 * ```ts
 * import { didWebUrl } from 'credsign'
 * didWebUrl('did:web:localhost%3A8443', { allowHttp: true }) // 'http://localhost:8443/.well-known/did.json'
 * ```
 */
export interface DidWebUrlOptions {
  /**
   * Use `http:` for `localhost` and `*.localhost` hosts (tests, local development). Every other
   * host stays `https:` whatever this says. Default false.
   */
  allowHttp?: boolean
}

// A DNS label: letters, digits and hyphens, 1 to 63 characters, no hyphen at either end.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
// WHATWG URL parsing turns a host whose last label is numeric (`127.1`, `2130706433`, `0x7f.1`)
// into an IPv4 address; the did:web specification forbids IP addresses.
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/i
// Percent-encoded octets that could change the meaning of a path: / \ . ? # % and controls.
const UNSAFE_ENCODED = /%(?:2f|5c|2e|3f|23|25|[01][0-9a-f]|7f)/i

/**
 * The URL of a did:web DID's document, by the did:web method's read operation: the method-specific
 * id's colons become slashes, a percent-encoded port (`%3A`) is decoded, no path means
 * `/.well-known`, and `/did.json` is appended, over `https:`.
 *
 * - `did:web:example.com` → `https://example.com/.well-known/did.json`
 * - `did:web:example.com:user:alice` → `https://example.com/user/alice/did.json`
 * - `did:web:example.com%3A3000` → `https://example.com:3000/.well-known/did.json`
 *
 * Stricter than a plain string rewrite, because the DID usually comes from an untrusted credential:
 * the host must be a DNS name (no IP address, as the method requires), the port 1-65535, and path
 * segments may not be `.`/`..` or percent-encode `/`, `\`, `.`, `?`, `#`, `%` or control
 * characters. Anything else is `malformed`.
 *
 * @example
 *
 * ```ts
 * import { didWebUrl } from 'credsign'
 * didWebUrl('did:web:example.com:user:alice') // 'https://example.com/user/alice/did.json'
 * ```
 */
export function didWebUrl(did: string, options: DidWebUrlOptions = {}): string {
  if (!isDid(did) || !did.startsWith('did:web:'))
    throw new CredsignError('malformed', 'not a did:web DID')
  const [authority = '', ...segments] = did.slice('did:web:'.length).split(':')

  const portMatch = /^(.*)%3a([0-9]{1,5})$/i.exec(authority)
  const host = portMatch ? (portMatch[1] ?? '') : authority
  const port = portMatch ? Number(portMatch[2]) : undefined
  if (port !== undefined && (port < 1 || port > 65535))
    throw new CredsignError('malformed', 'did:web port out of range')
  const labels = host.split('.')
  if (host.length === 0 || host.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new CredsignError('malformed', 'the did:web host is not a domain name')
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? ''))
    throw new CredsignError('malformed', 'a did:web host must not be an IP address')

  for (const segment of segments) {
    if (
      segment.length === 0 ||
      segment === '.' ||
      segment === '..' ||
      UNSAFE_ENCODED.test(segment)
    ) {
      throw new CredsignError('malformed', 'unsafe did:web path segment')
    }
  }

  const scheme = options.allowHttp === true && isLoopbackHost(host) ? 'http' : 'https'
  const path = segments.length === 0 ? '/.well-known' : `/${segments.join('/')}`
  const url = `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path}/did.json`
  // Belt and braces: the URL parser must see exactly the host we validated.
  const parsed = new URL(url)
  if (parsed.hostname !== host.toLowerCase())
    throw new CredsignError('malformed', 'the did:web host does not parse as itself')
  return url
}
