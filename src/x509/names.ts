import type * as Pkijs from 'pkijs'
import { toHex } from '../util/bytes.js'

/*
 * Distinguished names as RFC 4514 strings, for display and messages only: two names are the same
 * when their DER is (RFC 5280 section 7.1 allows more, credsign's checks do not need it).
 */

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
}

/** RFC 4514 section 2.4: escape what would change the string's structure. */
function escapeValue(value: string): string {
  let out = ''
  for (const [index, char] of Array.from(value).entries()) {
    const code = char.codePointAt(0) as number
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0')}`
    else if (',+"\\<>;='.includes(char)) out += `\\${char}`
    else if (index === 0 && (char === '#' || char === ' ')) out += `\\${char}`
    else out += char
  }
  return out.endsWith(' ') ? `${out.slice(0, -1)}\\ ` : out
}

function valueText(attribute: Pkijs.AttributeTypeAndValue): string {
  const value: unknown = attribute.value
  const block = (value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock
  if (typeof block?.value === 'string') return escapeValue(block.value)
  // Not a string type: RFC 4514 section 2.4's '#' followed by the BER in hexadecimal.
  const encoded = (value as { toBER?: () => ArrayBuffer } | undefined)?.toBER?.()
  return encoded === undefined ? '#' : `#${toHex(new Uint8Array(encoded))}`
}

/**
 * A Name as an RFC 4514 string: the last RDN first, `CN=…,O=…,C=…`.
 *
 * @example
 *
 * ```ts
 * import { distinguishedName } from './names.js'
 * declare const certificate: import('pkijs').Certificate
 * distinguishedName(certificate.subject) // 'CN=issuer.example,O=Example,C=DE'
 * ```
 *
 * @internal
 */
export function distinguishedName(name: Pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((attribute) => `${SHORT_NAMES[attribute.type] ?? attribute.type}=${valueText(attribute)}`)
    .reverse()
    .join(',')
}
