/** How many characters of a URL a message shows at most (then `…`). */
const MAX_SHOWN = 120

/**
 * `url` as an error message, a check detail or a log shows it: quoted, its scheme, host, port and
 * path only, cut at 120 characters. A URL's userinfo (`user:password@`) and query (`?token=…`) may
 * hold credentials, and messages travel further than the URL was meant to (HTTP error bodies,
 * verification results handed on, logs): neither is shown, nor the fragment. A dropped query is
 * marked `?…`, so two messages about one path still say a query was there. Text that does not parse
 * as a URL loses the same parts by its characters: from its first `?` or `#` on, and anything up to
 * an `@` after `//`.
 *
 * Every message that carries a URL credsign fetches (status lists, JSON-LD contexts, CRL and OCSP
 * locations) shows it through this. The x5c revocation code, which loads lazily, is handed it
 * (RevocationContext `shownUrl`): imported there, it would join the initial load of every app.
 *
 * @example
 *
 * ```ts
 * shownUrl('https://user:secret@lists.example:8443/1?token=abc#x')
 * // '"https://lists.example:8443/1?…"'
 * ```
 *
 * @internal
 */
export function shownUrl(url: string): string {
  let shown: string
  try {
    const parsed = new URL(url)
    const hadQuery = parsed.search !== ''
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    parsed.hash = ''
    shown = `${parsed.href}${hadQuery ? '?…' : ''}`
  } catch {
    const end = url.search(/[?#]/)
    shown = `${(end === -1 ? url : url.slice(0, end)).replace(/^([^/?#]*\/\/)[^/\\]*@/, '$1')}${end !== -1 && url[end] === '?' ? '?…' : ''}`
  }
  return JSON.stringify(shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown)
}
