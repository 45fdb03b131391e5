// parseJsonText (src/jose/json.ts), the parser of every JSON text verify() reads (JWS headers, JWT
// and KB-JWT claims, disclosures, Data Integrity documents given as text, HTTP bodies): a member
// name twice in one object is `malformed`, however the text spells it. JSON.parse keeps the last,
// other parsers the first, so the same text would say two things (RFC 7515 section 4, RFC 7519
// section 4: reject or keep the last; I-JSON: MUST NOT occur); jose and @sd-jwt keep the last.
//
// The oracle is the generator: it builds a tree whose objects are lists of [name, value] pairs
// (names drawn from a small set, so that they repeat) and writes each name with random escapes
// (`\u0061`, `\/`, a surrogate pair as two escapes, upper- or lowercase hex) and random whitespace,
// so it knows which objects hold a name twice. The property: refused iff some object does, and
// otherwise exactly what JSON.parse returns.
//
// Seeded: FC_SEED overrides the seed, FC_RUNS the number of cases.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseJsonText } from '../../src/jose/json.js'

const SEED = Number(process.env.FC_SEED ?? 20_261_207)
const RUNS = Number(process.env.FC_RUNS ?? 3000)

type Tree = null | number | string | Tree[] | { members: [string, Tree][] }

const NAMES = ['a', 'alg', 'a/b', 'é', 'e\u0301', '\u{1F600}', '"', '\\', '', '__proto__', 'exp']

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.integer(),
    fc.constantFrom(...NAMES),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc
      .array(fc.tuple(fc.constantFrom(...NAMES), tie('tree')), { maxLength: 4 })
      .map((members) => ({ members })),
  ),
})).tree

/** One way of writing a string literal: each UTF-16 unit as itself or escaped. */
function spell(text: string, choices: number[]): string {
  let out = '"'
  let i = 0
  for (const unit of text.split('')) {
    const choice = choices[i++ % choices.length] ?? 0
    const code = unit.charCodeAt(0)
    const hex = code.toString(16).padStart(4, '0')
    if (choice % 3 === 1) out += `\\u${choice % 2 === 0 ? hex : hex.toUpperCase()}`
    else if (unit === '/' && choice % 3 === 2) out += '\\/'
    else out += JSON.stringify(unit).slice(1, -1)
  }
  return `${out}"`
}

function write(tree: Tree, choices: number[], spaces: string[]): string {
  const space = (n: number) => spaces[n % spaces.length] ?? ''
  if (tree === null || typeof tree !== 'object') {
    return typeof tree === 'string' ? spell(tree, choices) : JSON.stringify(tree)
  }
  if (Array.isArray(tree))
    return `[${space(1)}${tree.map((t) => write(t, choices, spaces)).join(`,${space(2)}`)}]`
  return `{${space(3)}${tree.members
    .map(
      ([name, value], index) =>
        `${spell(name, choices.slice(index))}${space(index)}:${space(4)}${write(value, choices, spaces)}`,
    )
    .join(`${space(5)},`)}${space(6)}}`
}

function hasDuplicate(tree: Tree): boolean {
  if (tree === null || typeof tree !== 'object') return false
  if (Array.isArray(tree)) return tree.some(hasDuplicate)
  const names = tree.members.map(([name]) => name)
  return new Set(names).size !== names.length || tree.members.some(([, v]) => hasDuplicate(v))
}

describe('parseJsonText and duplicate member names', () => {
  it('refuses a text iff an object in it names a member twice, however spelled', () => {
    let refused = 0
    fc.assert(
      fc.property(
        treeArb,
        fc.array(fc.nat(5), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom('', ' ', '\n', '\t', ' \r\n '), { minLength: 1, maxLength: 7 }),
        (tree, choices, spaces) => {
          const text = write(tree, choices, spaces)
          if (hasDuplicate(tree)) {
            expect(() => parseJsonText(text, 'the text')).toThrow(
              expect.objectContaining({ code: 'malformed' }) as Error,
            )
            refused++
          } else {
            expect(parseJsonText(text, 'the text')).toEqual(JSON.parse(text))
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    )
    expect(refused).toBeGreaterThan(RUNS / 20)
  })
})

describe('parseJsonText and what its error carries', () => {
  it('a malformed text is malformed with no cause quoting it (it may be a decrypted body or a private JWK)', () => {
    const secret = 'hunter2-SECRET-passphrase'
    for (const text of [`{"passphrase":${secret}}`, `{"d":"x","passphrase":${secret}}`, secret]) {
      let thrown: unknown
      try {
        parseJsonText(text, 'the decrypted request body')
      } catch (error) {
        thrown = error
      }
      expect(thrown).toMatchObject({ code: 'malformed' })
      const seen = [
        (thrown as Error).message,
        String((thrown as { cause?: unknown }).cause ?? ''),
        (thrown as { cause?: { message?: string } }).cause?.message ?? '',
        JSON.stringify(thrown),
      ].join('\n')
      expect(seen).not.toContain(secret.slice(0, 7))
    }
  })
})
