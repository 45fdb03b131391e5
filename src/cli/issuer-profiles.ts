import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { CredsignError } from '../errors/credsign-error.js'
import type { IssuerProfile } from '../http/options.js'
import {
  CRYPTOSUITES_OFFERED,
  isSigningFormat,
  oneOf,
  SIGNING_FORMATS,
} from '../service/formats.js'
import type { CryptosuiteName } from '../service/formats.js'
import type { DisclosureFrame } from '../formats/sd-jwt/types.js'
import type { KeyVault } from '../vault/key-vault.js'
import { readTextFile } from './config.js'
import { closestName, CliError } from './flags.js'

/*
 * `credsign serve --issuer-profiles FILE`: the VC-API issuer profiles of createHandler, from JSON,
 * so that POST /credentials/issue works without code. Read and checked once at startup; a bad file
 * stops the server with a message naming the file and the JSON pointer of the problem. Nothing of
 * the file ever reaches an HTTP response.
 */

const MAX_PROFILES_FILE_BYTES = 1024 * 1024
const MAX_PROFILES = 100
const PROFILE_MEMBERS = [
  'name',
  'keyId',
  'secrets',
  'secretsFile',
  'format',
  'cryptosuite',
  'disclosureFrame',
  'didMethod',
  'statusList',
] as const
const MAX_STATUS_LISTS = 100
const STATUS_LIST_MEMBERS = ['id', 'url', 'purpose', 'signedBy'] as const

/**
 * A status list `credential serve` creates (if missing) and publishes at `url`, signed with the key
 * of the issuer profile named by `signedBy`.
 *
 * @example
 *
 * ```ts
 * const list: ServeStatusList = {
 *   id: 'revocation-1',
 *   url: 'https://issuer.example/status-lists/revocation-1',
 *   purpose: 'revocation',
 *   signedBy: 'jwt',
 * }
 * ```
 *
 * @internal
 */
export interface ServeStatusList {
  id: string
  url: string
  purpose: 'revocation' | 'suspension'
  signedBy: string
}

/**
 * An issuer profiles file read and checked: the profiles and the status lists they issue from.
 *
 * @example
 *
 * ```ts
 * const { issuers, statusLists } = await loadIssuerConfig('/etc/credsign/issuers.json')
 * ```
 *
 * @internal
 */
export interface IssuerConfig {
  issuers: IssuerProfile[]
  statusLists: ServeStatusList[]
}

/**
 * A refused issuer profiles file: `file` and the JSON pointer of the offending member
 * (`/issuers/1/format`; empty for the whole document). Exit code 2, as for other configuration
 * errors.
 *
 * @example
 *
 * ```ts
 * try {
 *   await loadIssuerProfiles('./issuers.json')
 * } catch (error) {
 *   if (error instanceof IssuerProfilesError) console.error(error.pointer)
 * }
 * ```
 *
 * @internal
 */
export class IssuerProfilesError extends CliError {
  constructor(
    readonly file: string,
    readonly pointer: string,
    problem: string,
  ) {
    super(`issuer profiles ${file}${pointer === '' ? '' : ` at ${pointer}`}: ${problem}`, 2)
    this.name = 'IssuerProfilesError'
  }
}

/**
 * Reads and checks an issuer profiles file:
 *
 * ```json
 * {
 *   "issuers": [
 *     {
 *       "name": "jwt",
 *       "keyId": "did:web:issuer.example#key-1",
 *       "secretsFile": "key-1.secrets",
 *       "format": "jwt"
 *     },
 *     {
 *       "name": "di",
 *       "keyId": "did:web:issuer.example#key-1",
 *       "secretsFile": "key-1.secrets",
 *       "format": "data-integrity",
 *       "cryptosuite": "eddsa-rdfc-2022"
 *     }
 *   ]
 * }
 * ```
 *
 * Each profile: `name` (1–100 of `A-Z a-z 0-9 _ . -`, unique), `keyId`, the key's secrets as
 * `secretsFile` (one per line, relative to this file's directory) or inline `secrets` (then the
 * file must not be readable by group or others), `format` (`jwt`, `data-integrity`, `sd-jwt`), and
 * optionally `cryptosuite` (data-integrity), `disclosureFrame` (sd-jwt), `didMethod` (`key`,
 * `jwk`). Unknown members are refused (a typo must not silently drop a setting).
 *
 * @example
 *
 * ```ts
 * const issuers = await loadIssuerProfiles('/etc/credsign/issuers.json')
 * createHandler({ vault, auth, issuers })
 * ```
 *
 * @internal
 */
export async function loadIssuerProfiles(file: string): Promise<IssuerProfile[]> {
  return (await loadIssuerConfig(file)).issuers
}

/**
 * {@link loadIssuerProfiles}, with the file's optional `statusLists`: Bitstring Status Lists that
 * `credsign serve` creates on startup if missing and serves at `GET /status-lists/{id}`.
 *
 * ```json
 * {
 *   "issuers": [
 *     {
 *       "name": "jwt",
 *       "keyId": "issuer-1",
 *       "secretsFile": "s",
 *       "format": "jwt",
 *       "statusList": "revocation-1"
 *     }
 *   ],
 *   "statusLists": [
 *     {
 *       "id": "revocation-1",
 *       "signedBy": "jwt",
 *       "purpose": "revocation",
 *       "url": "https://issuer.example/status-lists/revocation-1"
 *     }
 *   ]
 * }
 * ```
 *
 * Each list: `id` (1–100 of `A-Z a-z 0-9 _ . -`, unique), `url` (http(s), ending in
 * `/status-lists/<id>`: where this server serves it), `signedBy` (the name of a profile whose key
 * signs the list), `purpose` (`revocation`, the default, or `suspension`). A profile's `statusList`
 * must name one of them.
 *
 * @example
 *
 * ```ts
 * const { issuers, statusLists } = await loadIssuerConfig('/etc/credsign/issuers.json')
 * ```
 *
 * @internal
 */
export async function loadIssuerConfig(file: string): Promise<IssuerConfig> {
  const path = resolve(file)
  const fail = (pointer: string, problem: string): never => {
    throw new IssuerProfilesError(path, pointer, problem)
  }
  let document: unknown
  try {
    document = JSON.parse(await readTextFile(path, MAX_PROFILES_FILE_BYTES))
  } catch (error) {
    if (error instanceof SyntaxError) fail('', 'not valid JSON')
    throw error
  }
  if (!isPlainObject(document)) return fail('', 'must be a JSON object with an "issuers" array')
  for (const member of Object.keys(document))
    if (member !== 'issuers' && member !== 'statusLists')
      fail(`/${escapePointer(member)}`, 'unknown member (expected "issuers" or "statusLists")')
  const issuers = document.issuers
  if (!Array.isArray(issuers) || issuers.length === 0 || issuers.length > MAX_PROFILES)
    return fail('/issuers', `must be an array of 1 to ${MAX_PROFILES} issuer profiles`)
  const names = new Set<string>()
  let inlineSecrets = false
  const profiles: IssuerProfile[] = []
  for (const [index, entry] of issuers.entries()) {
    const at = (member?: string): string =>
      member === undefined ? `/issuers/${index}` : `/issuers/${index}/${escapePointer(member)}`
    if (!isPlainObject(entry)) return fail(at(), 'must be an object')
    for (const member of Object.keys(entry)) {
      if (!(PROFILE_MEMBERS as readonly string[]).includes(member)) {
        const suggestion = closestName(member, PROFILE_MEMBERS)
        fail(
          at(member),
          `unknown member${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`,
        )
      }
    }
    const { name, keyId, format, cryptosuite, disclosureFrame, didMethod } = entry
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(name))
      return fail(at('name'), 'must be 1 to 100 letters, digits or _ . -')
    if (names.has(name)) fail(at('name'), `a second profile is named ${name}`)
    names.add(name)
    if (typeof keyId !== 'string' || keyId === '' || keyId.length > 2048)
      return fail(at('keyId'), 'must be a key id (a non-empty string)')
    if (!isSigningFormat(format)) return fail(at('format'), `must be ${oneOf(SIGNING_FORMATS)}`)
    const profile: IssuerProfile = { name, keyId, format, secrets: [] }
    if ('secrets' in entry === 'secretsFile' in entry)
      fail(
        at(),
        'needs the key\'s secrets: either "secretsFile" (a file, one per line) or "secrets"',
      )
    if ('secrets' in entry) {
      const secrets = entry.secrets
      if (
        !Array.isArray(secrets) ||
        secrets.length < 1 ||
        secrets.length > 10 ||
        !secrets.every((s) => typeof s === 'string' && s !== '')
      )
        return fail(at('secrets'), 'must be 1 to 10 non-empty strings')
      profile.secrets = secrets as string[]
      inlineSecrets = true
    } else {
      const secretsFile = entry.secretsFile
      if (typeof secretsFile !== 'string' || secretsFile === '')
        return fail(at('secretsFile'), 'must be a file path')
      const secretsPath = resolve(dirname(path), secretsFile)
      let text: string
      try {
        text = await readTextFile(secretsPath, 64 * 1024)
      } catch {
        return fail(at('secretsFile'), `cannot read ${secretsPath}`)
      }
      const secrets = text.split(/\r?\n/).filter((line) => line !== '')
      if (secrets.length < 1 || secrets.length > 10)
        return fail(at('secretsFile'), `${secretsPath} must hold 1 to 10 secrets, one per line`)
      profile.secrets = secrets
    }
    if (cryptosuite !== undefined) {
      if (format !== 'data-integrity')
        fail(at('cryptosuite'), 'only a data-integrity profile takes a cryptosuite')
      if (!(CRYPTOSUITES_OFFERED as readonly unknown[]).includes(cryptosuite))
        fail(at('cryptosuite'), `must be ${oneOf(CRYPTOSUITES_OFFERED)}`)
      profile.cryptosuite = cryptosuite as CryptosuiteName
    }
    if (disclosureFrame !== undefined) {
      if (format !== 'sd-jwt')
        fail(at('disclosureFrame'), 'only an sd-jwt profile takes a disclosureFrame')
      if (!isPlainObject(disclosureFrame)) fail(at('disclosureFrame'), 'must be an object')
      profile.disclosureFrame = disclosureFrame as DisclosureFrame
    }
    if (didMethod !== undefined) {
      if (didMethod !== 'key' && didMethod !== 'jwk')
        fail(at('didMethod'), 'must be "key" or "jwk"')
      profile.didMethod = didMethod as 'key' | 'jwk'
    }
    if ('statusList' in entry) {
      const statusList = entry.statusList
      if (typeof statusList !== 'string' || statusList === '')
        fail(at('statusList'), 'must be the id of a list of "statusLists"')
      profile.statusList = statusList as string
    }
    profiles.push(profile)
  }
  const statusLists = readStatusLists(document.statusLists, profiles, fail)
  for (const [index, profile] of profiles.entries())
    if (
      profile.statusList !== undefined &&
      !statusLists.some((list) => list.id === profile.statusList)
    )
      fail(`/issuers/${index}/statusList`, `no list of "statusLists" has id ${profile.statusList}`)
  if (inlineSecrets && process.platform !== 'win32') {
    const mode = (await stat(path)).mode
    if ((mode & 0o077) !== 0)
      fail(
        '',
        'holds inline "secrets" but is readable by group or others: chmod 600 it, or use "secretsFile"',
      )
  }
  return { issuers: profiles, statusLists }
}

function readStatusLists(
  value: unknown,
  profiles: readonly IssuerProfile[],
  fail: (pointer: string, problem: string) => never,
): ServeStatusList[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_STATUS_LISTS)
    return fail('/statusLists', `must be an array of 1 to ${MAX_STATUS_LISTS} status lists`)
  const lists: ServeStatusList[] = []
  for (const [index, entry] of value.entries()) {
    const at = (member?: string): string =>
      member === undefined
        ? `/statusLists/${index}`
        : `/statusLists/${index}/${escapePointer(member)}`
    if (!isPlainObject(entry)) return fail(at(), 'must be an object')
    for (const member of Object.keys(entry)) {
      if (!(STATUS_LIST_MEMBERS as readonly string[]).includes(member)) {
        const suggestion = closestName(member, STATUS_LIST_MEMBERS)
        fail(
          at(member),
          `unknown member${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`,
        )
      }
    }
    const { id, url, purpose = 'revocation', signedBy } = entry
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(id))
      return fail(at('id'), 'must be 1 to 100 letters, digits or _ . -')
    if (lists.some((list) => list.id === id)) fail(at('id'), `a second list has id ${id}`)
    if (typeof url !== 'string' || !isListUrl(url, id))
      return fail(at('url'), `must be an http(s) URL ending in /status-lists/${id}`)
    if (purpose !== 'revocation' && purpose !== 'suspension')
      return fail(at('purpose'), 'must be "revocation" or "suspension"')
    if (typeof signedBy !== 'string' || !profiles.some((p) => p.name === signedBy))
      return fail(at('signedBy'), 'must be the name of a profile of "issuers"')
    lists.push({ id, url, purpose, signedBy })
  }
  return lists
}

function isListUrl(value: string, id: string): boolean {
  if (value.length > 2000 || !URL.canParse(value)) return false
  const url = new URL(value)
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    url.pathname.endsWith(`/status-lists/${id}`)
  )
}

/**
 * Refuses to start when a profile names a key the store does not hold (public read: no secret is
 * tried, no attempt counted).
 *
 * @example
 *
 * ```ts
 * await checkIssuerKeys(issuers, vault, '/etc/credsign/issuers.json')
 * ```
 *
 * @internal
 */
export async function checkIssuerKeys(
  profiles: readonly IssuerProfile[],
  vault: KeyVault,
  file: string,
): Promise<void> {
  for (const [index, profile] of profiles.entries()) {
    try {
      await vault.publicKey(profile.keyId)
    } catch (error) {
      if (!CredsignError.is(error, 'not_found')) throw error
      throw new IssuerProfilesError(
        resolve(file),
        `/issuers/${index}/keyId`,
        `the store holds no key ${JSON.stringify(profile.keyId)}`,
      )
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function escapePointer(member: string): string {
  return member.replace(/~/g, '~0').replace(/\//g, '~1')
}
