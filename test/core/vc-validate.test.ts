import { describe, expect, it } from 'vitest'
import { CredsignError } from '../../src/errors/credsign-error.js'
import {
  credentialProblems,
  dataModelVersion,
  presentationProblems,
  validateCredential,
  validatePresentation,
} from '../../src/index.js'
import { numericDateToDateTime, parseDateTime } from '../../src/credential/date-time.js'
import unknownExtensions from '../fixtures/vectors/jose-cose/credential-unknown-extensions.json' with { type: 'json' }
import credentialFull from '../fixtures/vectors/jose-cose/credential-full.json' with { type: 'json' }
import credentialMinimal from '../fixtures/vectors/jose-cose/credential-minimal.json' with { type: 'json' }
import presentationMultiple from '../fixtures/vectors/jose-cose/presentation-multiple.json' with { type: 'json' }
import presentationSingle from '../fixtures/vectors/jose-cose/presentation-single.json' with { type: 'json' }
import { V1, V2, credentialV1, credentialV2 } from './vc-helpers.js'

const issuer = 'did:example:issuer'
const v2 = (extra: Record<string, unknown> = {}) => credentialV2({ issuer, ...extra })
const v1 = (extra: Record<string, unknown> = {}) => credentialV1({ issuer, ...extra })
const paths = (problems: { path: string }[]) => problems.map((p) => p.path)

describe('date-time (XML Schema dateTime / dateTimeStamp)', () => {
  it.each([
    ['2010-01-01T19:23:24Z', Date.UTC(2010, 0, 1, 19, 23, 24)],
    ['2023-02-25T19:10:39-06:00', Date.UTC(2023, 1, 26, 1, 10, 39)],
    ['2023-02-26T01:02:58.447Z', Date.UTC(2023, 1, 26, 1, 2, 58, 447)],
    ['4023-02-26T01:02:58.447Z', Date.UTC(4023, 1, 26, 1, 2, 58, 447)],
    ['2024-02-29T00:00:00+14:00', Date.UTC(2024, 1, 28, 10)],
    ['2010-01-01T24:00:00Z', Date.UTC(2010, 0, 2)],
  ])('parses %s', (text, expected) => {
    expect(parseDateTime(text)).toBe(expected)
  })

  it('does not map years below 100 onto the 1900s', () => {
    expect(new Date(parseDateTime('0050-06-01T00:00:00Z') as number).getUTCFullYear()).toBe(50)
  })

  it.each([
    '01/01/2010',
    'Sat 25 Feb 2023 07:16:31 PM CST',
    'Sun, 26 Feb 2023 01:22:14 +0000',
    '2023-02-30T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-02-01T25:00:00Z',
    '2023-02-01 00:00:00Z',
    '2023-02-01T00:00:00z',
    'FUTURE DATE',
    '',
    20230101,
  ])('refuses %s', (text) => expect(parseDateTime(text)).toBeUndefined())

  it('requires an offset for dateTimeStamp, not for dateTime', () => {
    expect(parseDateTime('2010-01-01T19:23:24')).toBe(Date.UTC(2010, 0, 1, 19, 23, 24))
    expect(parseDateTime('2010-01-01T19:23:24', { requireOffset: true })).toBeUndefined()
  })

  it('writes NumericDates as UTC dateTimeStamps without fractions', () => {
    expect(numericDateToDateTime(1262373804)).toBe('2010-01-01T19:23:24Z')
    expect(numericDateToDateTime(1262373804.9)).toBe('2010-01-01T19:23:24Z')
  })
})

describe('dataModelVersion', () => {
  it('reads the first @context entry only', () => {
    expect(dataModelVersion({ '@context': [V2] })).toBe('2.0')
    expect(dataModelVersion({ '@context': V1 })).toBe('1.1')
    expect(
      dataModelVersion({ '@context': ['https://www.w3.org/2018/credentials/examples/v1', V1] }),
    ).toBeUndefined()
    expect(dataModelVersion([V2])).toBeUndefined()
    expect(dataModelVersion(null)).toBeUndefined()
  })
})

describe('credentialProblems', () => {
  it('accepts valid VCDM 2.0 and 1.1 credentials, and the suite inputs', () => {
    expect(credentialProblems(v2())).toEqual([])
    expect(credentialProblems(v1())).toEqual([])
    expect(credentialProblems(credentialMinimal)).toEqual([])
    expect(credentialProblems(credentialFull)).toEqual([])
    expect(credentialProblems(v2({ issuer: { id: issuer, name: 'Example University' } }))).toEqual(
      [],
    )
    expect(
      credentialProblems(v2({ credentialSubject: [{ id: 'did:example:a' }, { name: 'b' }] })),
    ).toEqual([])
  })

  it('refuses unknown top-level members in strict mode (VC-JOSE-COSE suite case 5), strict by default for 2.0 only', () => {
    expect(paths(credentialProblems(unknownExtensions))).toEqual(['badExtension', 'anotherBadOne'])
    expect(credentialProblems(unknownExtensions, { strict: false })).toEqual([])
    expect(
      credentialProblems(unknownExtensions, { allowProperties: ['badExtension', 'anotherBadOne'] }),
    ).toEqual([])
    expect(paths(credentialProblems(v2({ validUntill: '2030-01-01T00:00:00Z' })))).toEqual([
      'validUntill',
    ])
    expect(credentialProblems(v1({ alumniOf: 'x' }))).toEqual([])
    expect(paths(credentialProblems(v1({ alumniOf: 'x' }), { strict: true }))).toEqual(['alumniOf'])
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['no @context', { '@context': undefined }, '@context'],
    [
      'base context not first',
      { '@context': ['https://www.w3.org/ns/credentials/examples/v2', V2] },
      '@context[0]',
    ],
    [
      'context entry not a URL',
      { '@context': [V2, 'https ://not-a-url/contexts/example/v1'] },
      '@context[1]',
    ],
    ['context entry a number', { '@context': [V2, 123192875] }, '@context[1]'],
    ['base context twice', { '@context': [V2, V2] }, '@context[1]'],
    ['id null', { id: null }, 'id'],
    ['id not a URL', { id: 'not a url' }, 'id'],
    ['id array', { id: ['urn:a', 'urn:b'] }, 'id'],
    ['no type', { type: undefined }, 'type'],
    ['type without VerifiableCredential', { type: ['ExampleCredential'] }, 'type'],
    ['type not strings', { type: ['VerifiableCredential', 2] }, 'type'],
    ['no issuer', { issuer: undefined }, 'issuer'],
    ['issuer null', { issuer: null }, 'issuer'],
    ['issuer not a URL', { issuer: 'example' }, 'issuer'],
    ['issuer object without URL id', { issuer: { name: 'x' } }, 'issuer.id'],
    ['issuer array', { issuer: [issuer, issuer] }, 'issuer'],
    ['no subject', { credentialSubject: undefined }, 'credentialSubject'],
    ['empty subject', { credentialSubject: {} }, 'credentialSubject'],
    [
      'an empty subject among several',
      { credentialSubject: [{ id: 'did:example:a' }, {}] },
      'credentialSubject[1]',
    ],
    ['subject id not a URL', { credentialSubject: { id: 'alice' } }, 'credentialSubject.id'],
    ['validFrom not a date', { validFrom: 'Sat 25 Feb 2023 07:16:31 PM CST' }, 'validFrom'],
    ['validFrom without offset', { validFrom: '2023-02-25T19:10:39' }, 'validFrom'],
    ['validUntil not a date', { validUntil: 'Sun, 26 Feb 2023 01:22:14 +0000' }, 'validUntil'],
    [
      'validUntil before validFrom',
      { validFrom: '2030-01-01T00:00:00Z', validUntil: '2020-01-01T00:00:00Z' },
      'validUntil',
    ],
    [
      'status without type',
      { credentialStatus: { id: 'https://example.org/status/1' } },
      'credentialStatus.type',
    ],
    [
      'status type a number',
      { credentialStatus: { id: 'did:example:status', type: 2 } },
      'credentialStatus.type',
    ],
    [
      'status with two ids',
      { credentialStatus: { id: ['urn:a', 'urn:b'], type: 'X' } },
      'credentialStatus.id',
    ],
    ['schema without id', { credentialSchema: { type: 'JsonSchema' } }, 'credentialSchema.id'],
    [
      'schema with a non-URL id',
      { credentialSchema: { id: 'schema', type: 'JsonSchema' } },
      'credentialSchema.id',
    ],
    ['evidence without type', { evidence: [{ id: 'urn:e' }] }, 'evidence[0].type'],
    ['terms of use without type', { termsOfUse: { id: 'urn:t' } }, 'termsOfUse.type'],
    [
      'refresh without type',
      { refreshService: { id: 'https://example.org/refresh' } },
      'refreshService.type',
    ],
    ['proof without type', { proof: { proofValue: 'z' } }, 'proof.type'],
    [
      'renderMethod without type',
      { renderMethod: { id: 'https://example.org/render' } },
      'renderMethod.type',
    ],
    [
      'confidenceMethod without type',
      { confidenceMethod: [{ id: 'urn:c' }] },
      'confidenceMethod[0].type',
    ],
    ['an empty evidence array ("one or more")', { evidence: [] }, 'evidence'],
    ['an empty credentialStatus array', { credentialStatus: [] }, 'credentialStatus'],
    ['type an empty array', { type: [] }, 'type'],
    [
      'name an object with other members',
      { name: { '@value': 'x', url: 'https://example.org' } },
      'name.url',
    ],
    ['name a language value without @value', { name: { '@language': 'en' } }, 'name.@value'],
    ['name @value not a string', { name: { '@value': 5 } }, 'name.@value'],
    [
      'name @language not a tag',
      { name: { '@value': 'x', '@language': 'en US' } },
      'name.@language',
    ],
    [
      'name @direction not ltr or rtl',
      { name: { '@value': 'x', '@direction': 'up' } },
      'name.@direction',
    ],
    ['name a number', { name: 5 }, 'name'],
    ['name an empty array', { name: [] }, 'name'],
    [
      'one bad language value among several',
      { description: ['ok', { '@value': 'y', '@language': 'fr', extra: 1 }] },
      'description[1].extra',
    ],
    [
      'issuer name with other members',
      { issuer: { id: issuer, name: { '@value': 'x', url: 'y' } } },
      'issuer.name.url',
    ],
    [
      'issuer description not a string',
      { issuer: { id: issuer, description: 42 } },
      'issuer.description',
    ],
    [
      'relatedResource without id',
      { relatedResource: { digestSRI: 'sha384-AAAA' } },
      'relatedResource.id',
    ],
    [
      'relatedResource id not a URL',
      { relatedResource: [{ id: 'logo.png', digestSRI: 'sha384-AAAA' }] },
      'relatedResource[0].id',
    ],
    [
      'relatedResource ids repeated',
      {
        relatedResource: [
          { id: 'https://example.org/a', digestSRI: 'sha256-AAAA' },
          { id: 'https://example.org/a', digestMultibase: 'uEiA' },
        ],
      },
      'relatedResource[1].id',
    ],
    [
      'relatedResource without a digest',
      { relatedResource: { id: 'https://example.org/a', mediaType: 'image/png' } },
      'relatedResource',
    ],
    [
      'relatedResource digestSRI not SRI',
      { relatedResource: { id: 'https://example.org/a', digestSRI: 'md5-AAAA' } },
      'relatedResource.digestSRI',
    ],
    [
      'relatedResource digestMultibase with spaces',
      { relatedResource: { id: 'https://example.org/a', digestMultibase: 'z 6M' } },
      'relatedResource.digestMultibase',
    ],
    [
      'relatedResource mediaType not a media type',
      {
        relatedResource: {
          id: 'https://example.org/a',
          digestSRI: 'sha256-AAAA',
          mediaType: 'png',
        },
      },
      'relatedResource.mediaType',
    ],
    [
      'relatedResource entry a string',
      { relatedResource: ['https://example.org/a'] },
      'relatedResource[0]',
    ],
    ['relatedResource an empty array', { relatedResource: [] }, 'relatedResource'],
  ])('VCDM 2.0: %s', (_name, change, path) => {
    const credential = v2(change)
    for (const [name, value] of Object.entries(change))
      if (value === undefined) delete credential[name]
    expect(paths(credentialProblems(credential))).toContain(path)
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['no issuanceDate', { issuanceDate: undefined }, 'issuanceDate'],
    ['issuanceDate not a date', { issuanceDate: '01/01/2010' }, 'issuanceDate'],
    [
      'issuanceDate array',
      { issuanceDate: ['2010-01-01T19:23:24Z', '2010-01-01T19:23:25Z'] },
      'issuanceDate',
    ],
    ['expirationDate not a date', { expirationDate: '01/01/2020' }, 'expirationDate'],
    [
      'expirationDate before issuanceDate',
      { expirationDate: '2000-01-01T00:00:00Z' },
      'expirationDate',
    ],
    ['status without id', { credentialStatus: { type: 'X' } }, 'credentialStatus.id'],
    [
      'first context not v1',
      { '@context': ['https://www.w3.org/2018/credentials/examples/v1', V1] },
      '@context[0]',
    ],
  ])('VCDM 1.1: %s', (_name, change, path) => {
    const credential = v1(change)
    for (const [name, value] of Object.entries(change))
      if (value === undefined) delete credential[name]
    expect(paths(credentialProblems(credential, { version: '1.1' }))).toContain(path)
  })

  it('accepts names and descriptions as strings, language value objects, or several of them', () => {
    const values = [
      'Example',
      { '@value': 'Example', '@language': 'en' },
      { '@value': 'مثال', '@language': 'ar-EG', '@direction': 'rtl' },
      { '@value': 'Example' },
      ['Example', { '@value': 'Exemple', '@language': 'fr' }],
    ]
    for (const value of values) {
      expect(
        credentialProblems(
          v2({
            name: value,
            description: value,
            issuer: { id: issuer, name: value, description: value },
          }),
        ),
      ).toEqual([])
    }
  })

  it('accepts related resources with SRI or multibase digests', () => {
    const relatedResource = [
      {
        id: 'https://www.w3.org/ns/credentials/v2',
        digestSRI: 'sha384-Ml/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbY',
      },
      {
        id: 'https://example.org/logo.png',
        mediaType: 'image/png',
        digestMultibase: 'uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA',
      },
      {
        id: 'did:example:doc',
        digestSRI: ['sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU', 'sha512-AAAA'],
        digestMultibase: ['zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk'],
      },
    ]
    expect(credentialProblems(v2({ relatedResource }))).toEqual([])
    expect(credentialProblems(v2({ relatedResource: relatedResource[0] }))).toEqual([])
  })

  it('checks names, descriptions and related resources in VCDM 2.0 only (VCDM 1.1 does not define them)', () => {
    expect(credentialProblems(v1({ name: { first: 'x' }, relatedResource: 'x' }))).toEqual([])
  })

  it('lets an issuing service accept an issuer object it will add its id to (allowMissingIssuer)', () => {
    const named = v2({ issuer: { name: 'Example University' } })
    expect(paths(credentialProblems(named))).toEqual(['issuer.id'])
    expect(credentialProblems(named, { allowMissingIssuer: true })).toEqual([])
    // A present but wrong id is not a missing one.
    for (const bad of [null, 'not a url', ['did:example:a']]) {
      expect(
        paths(credentialProblems(v2({ issuer: { id: bad } }), { allowMissingIssuer: true })),
      ).toEqual(['issuer.id'])
    }
    expect(paths(credentialProblems(v2({ issuer: null }), { allowMissingIssuer: true }))).toEqual([
      'issuer',
    ])
  })

  it('lets signers validate before filling issuer and issuanceDate', () => {
    const credential = v1({ issuer: undefined, issuanceDate: undefined })
    delete credential.issuer
    delete credential.issuanceDate
    expect(paths(credentialProblems(credential))).toEqual(['issuer', 'issuanceDate'])
    expect(
      credentialProblems(credential, { allowMissingIssuer: true, allowMissingIssuanceDate: true }),
    ).toEqual([])
  })

  it('is total: anything that is not a credential is a problem, never an exception', () => {
    for (const value of [null, 42, 'x', [], { '@context': 5 }, { '@context': [] }]) {
      expect(credentialProblems(value).length).toBeGreaterThan(0)
    }
  })

  it('validateCredential throws credential_invalid naming the path', () => {
    expect(() => validateCredential(v2())).not.toThrow()
    let caught: unknown
    try {
      validateCredential(v2({ credentialSubject: [{ id: 'did:example:a' }, {}] }))
    } catch (error) {
      caught = error
    }
    expect(CredsignError.is(caught, 'credential_invalid')).toBe(true)
    expect((caught as Error).message).toMatch(/^credentialSubject\[1\]: /)
  })
})

describe('presentationProblems', () => {
  const vp = (extra: Record<string, unknown> = {}) => ({
    '@context': [V2],
    type: ['VerifiablePresentation'],
    ...extra,
  })

  it('accepts the suite inputs and enveloped credentials', () => {
    expect(presentationProblems(presentationSingle)).toEqual([])
    expect(presentationProblems(presentationMultiple)).toEqual([])
    expect(presentationProblems(vp())).toEqual([])
    expect(
      presentationProblems(vp({ holder: { id: 'did:example:holder', name: 'Alice' } })),
    ).toEqual([])
    expect(
      presentationProblems({
        '@context': [V1],
        type: 'VerifiablePresentation',
        verifiableCredential: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'],
      }),
    ).toEqual([])
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['holder not a URL', { holder: 'z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj' }, 'holder'],
    ['holder object without id', { holder: { name: 'Acme' } }, 'holder.id'],
    ['type without VerifiablePresentation', { type: ['VerifiableCredential'] }, 'type'],
    [
      'a JWT string in a 2.0 presentation',
      { verifiableCredential: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'] },
      'verifiableCredential[0]',
    ],
    [
      'an enveloped credential whose id is not a data: URL',
      {
        verifiableCredential: [
          { '@context': V2, id: 'not-a-credential', type: 'EnvelopedVerifiableCredential' },
        ],
      },
      'verifiableCredential[0].id',
    ],
    [
      'an enveloped credential without type',
      { verifiableCredential: [{ '@context': V2, id: 'data:application/vc+jwt,eyJ' }] },
      'verifiableCredential[0].type',
    ],
    [
      'an embedded credential without its required type',
      {
        verifiableCredential: {
          '@context': [V2],
          type: ['X'],
          issuer,
          credentialSubject: { id: 'did:example:a' },
        },
      },
      'verifiableCredential.type',
    ],
    ['an unknown member (strict)', { badExtension: true }, 'badExtension'],
    [
      'an envelope without @context',
      {
        verifiableCredential: [
          { id: 'data:application/vc+jwt,eyJ', type: 'EnvelopedVerifiableCredential' },
        ],
      },
      'verifiableCredential[0].@context',
    ],
    [
      'an envelope with a bad @context entry',
      {
        verifiableCredential: [
          {
            '@context': [V2, 5],
            id: 'data:application/vc+jwt,eyJ',
            type: 'EnvelopedVerifiableCredential',
          },
        ],
      },
      'verifiableCredential[0].@context[1]',
    ],
    [
      'an envelope whose data: URL has no comma',
      {
        verifiableCredential: [
          {
            '@context': V2,
            id: 'data:application/vc+jwt;eyJ',
            type: 'EnvelopedVerifiableCredential',
          },
        ],
      },
      'verifiableCredential[0].id',
    ],
    [
      'an envelope whose data: URL has no media type',
      {
        verifiableCredential: [
          { '@context': V2, id: 'data:,eyJ', type: 'EnvelopedVerifiableCredential' },
        ],
      },
      'verifiableCredential[0].id',
    ],
    [
      'an envelope with another type',
      {
        verifiableCredential: [
          { '@context': V2, id: 'data:application/vc+jwt,eyJ', type: 'Envelope' },
        ],
      },
      'verifiableCredential[0].type',
    ],
    ['terms of use without type', { termsOfUse: { id: 'urn:t' } }, 'termsOfUse.type'],
    ['proof without type', { proof: [{ proofValue: 'z' }] }, 'proof[0].type'],
    [
      'name with other members',
      { name: { '@value': 'x', '@language': 'en', url: 'y' } },
      'name.url',
    ],
    ['description a number', { description: 7 }, 'description'],
  ])('VCDM 2.0: %s', (_name, change, path) => {
    expect(paths(presentationProblems(vp(change)))).toContain(path)
  })

  it('accepts envelopes with RFC 2397 parameters and a base64 payload, and presentation names', () => {
    const envelope = (id: string) => ({
      '@context': [V2],
      id,
      type: ['EnvelopedVerifiableCredential'],
    })
    expect(
      presentationProblems(
        vp({
          verifiableCredential: [
            envelope('data:application/vc-ld+jwt;base64url,eyJhbGciOiJFUzI1NiJ9.e30.c2ln'),
            envelope('data:application/vc+cose;base64,2D2ERKEBOCKg'),
          ],
        }),
      ),
    ).toEqual([])
    expect(
      presentationProblems(
        vp({ name: { '@value': 'Job application', '@language': 'en' }, description: 'For Acme' }),
      ),
    ).toEqual([])
  })

  it('validatePresentation throws credential_invalid', () => {
    expect(() => validatePresentation(vp({ holder: 'alice' }))).toThrow(
      expect.objectContaining({ code: 'credential_invalid' }),
    )
  })
})
