import { CredsignError } from '../errors/credsign-error.js'
import { b64, fromB64 } from '../util/base64.js'

/*
 * PEM (RFC 7468 "textual encodings"): base64 DER between `-----BEGIN <label>-----` and
 * `-----END <label>-----` lines. The reader takes what OpenSSL and other tools write: text before,
 * between and after blocks (OpenSSL's `ecparam -genkey` writes an `EC PARAMETERS` block before the
 * key, `x509 -text` a dump before the certificate), CRLF or LF, whitespace inside the base64. RFC
 * 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) mark OpenSSL's legacy encrypted keys and are
 * refused as such.
 */

/**
 * No key credsign supports comes near this (an RSA-4096 PKCS#8 PEM is about 3.3 KB); larger input
 * is refused unread.
 */
const MAX_PEM_LENGTH = 64 * 1024

/**
 * One decoded PEM block.
 *
 * @example
 *
 * ```ts
 * const [block]: PemBlock[] = decodePem(
 *   '-----BEGIN PUBLIC KEY-----\nBQA=\n-----END PUBLIC KEY-----\n',
 * )
 * block.label // 'PUBLIC KEY'
 * ```
 */
export interface PemBlock {
  /** The label of the BEGIN and END lines, e.g. `PRIVATE KEY`, `EC PRIVATE KEY`, `PUBLIC KEY`. */
  readonly label: string
  /** The decoded contents (DER). Secret for private keys: the caller wipes it. */
  readonly der: Uint8Array
}

function malformed(what: string): CredsignError {
  return new CredsignError('invalid_key', `malformed PEM: ${what}`)
}

/**
 * Decodes every PEM block of `text`, in order. Text outside the blocks is ignored. Errors are
 * `invalid_argument` (not a string), `invalid_key` (no block, a BEGIN without its END, a label
 * mismatch, bad base64, an empty block, more than 64 KiB of text) and `encrypted_key_unsupported`
 * (a block with the RFC 1421 `Proc-Type: 4,ENCRYPTED` headers of OpenSSL's legacy encryption).
 *
 * @example
 *
 * ```ts
 * const blocks = decodePem('-----BEGIN PUBLIC KEY-----\nBQA=\n-----END PUBLIC KEY-----\n')
 * blocks[0]?.der // Uint8Array [0x05, 0x00]
 * ```
 */
export function decodePem(text: string): PemBlock[] {
  if (typeof text !== 'string')
    throw new CredsignError('invalid_argument', 'PEM input must be a string')
  if (text.length > MAX_PEM_LENGTH) throw malformed(`longer than ${MAX_PEM_LENGTH} characters`)
  const blocks: PemBlock[] = []
  let label: string | undefined
  let body: string[] = []
  let headers: string[] = []
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim()
    if (label === undefined) {
      if (line.startsWith('-----BEGIN ') && line.endsWith('-----') && line.length > 16) {
        label = line.slice(11, -5)
        if (!/^[\x21-\x2c\x2e-\x7e]([ \x21-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?$/.test(label))
          throw malformed('bad label')
        body = []
        headers = []
      } else if (line.startsWith('-----END')) {
        throw malformed('END line without BEGIN')
      }
      continue
    }
    if (line === `-----END ${label}-----`) {
      blocks.push({ label, der: decodeBody(headers, body) })
      label = undefined
    } else if (line.startsWith('-----')) {
      throw malformed('BEGIN and END lines do not match')
    } else if (line.includes(':')) {
      headers.push(line)
    } else if (line !== '') {
      body.push(line)
    }
  }
  if (label !== undefined) throw malformed(`no END line for ${label} (truncated?)`)
  if (blocks.length === 0) throw malformed('no -----BEGIN line')
  return blocks
}

function decodeBody(headers: string[], body: string[]): Uint8Array {
  if (headers.length > 0) {
    if (headers.some((header) => /^(proc-type:.*encrypted|dek-info:)/i.test(header))) {
      throw new CredsignError(
        'encrypted_key_unsupported',
        'the PEM key is encrypted (OpenSSL legacy encryption): decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem',
      )
    }
    throw malformed('unexpected header lines')
  }
  const joined = body.join('').replace(/[ \t]/g, '')
  if (joined === '') throw malformed('empty block')
  try {
    return fromB64(joined, 'invalid_key')
  } catch (cause) {
    throw new CredsignError('invalid_key', 'malformed PEM: not base64', { cause })
  }
}

/**
 * Encodes DER as one PEM block with `label`, in the RFC 7468 strict form (64-character lines, LF, a
 * final newline).
 *
 * @example
 *
 * ```ts
 * encodePem('PUBLIC KEY', new Uint8Array([5, 0]))
 * // '-----BEGIN PUBLIC KEY-----\nBQA=\n-----END PUBLIC KEY-----\n'
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  if (!(der instanceof Uint8Array))
    throw new CredsignError('invalid_argument', 'PEM contents must be a Uint8Array')
  const text = b64(der)
  const lines: string[] = []
  for (let i = 0; i < text.length; i += 64) lines.push(text.slice(i, i + 64))
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
