/*
 * Argument parsing and the failures every command reports. Nothing here echoes an argument's value:
 * a mistyped option may carry a database URL with its password, or a secret.
 */

/**
 * What an option takes: nothing (`--status`) or a value (`--schema NAME`, `--schema=NAME`).
 *
 * @example
 *
 * ```ts
 * const spec: FlagSpec = { '--schema': 'value', '--status': 'flag' }
 * ```
 *
 * @internal
 */
export type FlagSpec = Record<string, 'flag' | 'value'>

/**
 * Parsed options: `true` for a flag, the string for a value.
 *
 * @example
 *
 * ```ts
 * const flags: Flags = { '--schema': 'credsign', '--status': true }
 * ```
 *
 * @internal
 */
export type Flags = Record<string, string | true>

/**
 * A failure the command reports as one line (`credsign <command>: <message>`) before exiting with
 * `exitCode`: 2 for a usage error, 1 for anything else. The message must never hold a secret.
 *
 * @example
 *
 * ```ts
 * throw new CliError('set DATABASE_URL (or pass --database-url)', 2)
 * ```
 *
 * @internal
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/**
 * Parses `--flag` and `--option value` / `--option=value` pairs; returns an error message for
 * anything else (only an option's name is ever echoed, never a value or a stray argument).
 *
 * @example
 *
 * ```ts
 * parseFlags(['--port', '3000', '--no-auth'], { '--port': 'value', '--no-auth': 'flag' })
 * // { '--port': '3000', '--no-auth': true }
 * ```
 *
 * @internal
 */
export function parseFlags(args: string[], spec: FlagSpec): Flags | string {
  const out: Flags = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined]
    // Own members only: `--constructor` or `__proto__` must not find Object.prototype's.
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined
    // Only an option's name is echoed: a value, or a stray argument, may be a secret or a database
    // URL with its password.
    if (!name.startsWith('-'))
      return 'unexpected argument (every option is --name VALUE or --name=VALUE)'
    if (!kind) return `unknown option${printable(name)}${didYouMean(name, Object.keys(spec))}`
    if (kind === 'flag') {
      if (inline !== undefined) return `${name} takes no value`
      out[name] = true
    } else {
      const value = inline ?? args[++i]
      if (value === undefined || value.startsWith('--')) return `${name} needs a value`
      out[name] = value
    }
  }
  return out
}

/**
 * {@link parseFlags} for a command: a bad argument becomes a usage error ({@link CliError}, exit 2).
 *
 * @example
 *
 * ```ts
 * const flags = flagsOrThrow(['--in', 'vc.json'], { '--in': 'value' }) // { '--in': 'vc.json' }
 * ```
 *
 * @internal
 */
export function flagsOrThrow(args: string[], spec: FlagSpec): Flags {
  const flags = parseFlags(args, spec)
  if (typeof flags === 'string') throw new CliError(flags, 2)
  return flags
}

/**
 * A value option, or `undefined` when absent.
 *
 * @example
 *
 * ```ts
 * stringFlag({ '--id': 'issuer-1' }, '--id') // 'issuer-1'
 * ```
 *
 * @internal
 */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * A required value option; a usage error when absent.
 *
 * @example
 *
 * ```ts
 * requireFlag({ '--id': 'issuer-1' }, '--id') // 'issuer-1'
 * ```
 *
 * @internal
 */
export function requireFlag(flags: Flags, name: string): string {
  const value = stringFlag(flags, name)
  if (value === undefined || value === '') throw new CliError(`${name} is required`, 2)
  return value
}

/**
 * A value option that must be one of `choices` (echoed in the error, the value never is).
 *
 * @example
 *
 * ```ts
 * choiceFlag({ '--kind': 'vp' }, '--kind', ['vc', 'vp'], 'vc') // 'vp'
 * ```
 *
 * @internal
 */
export function choiceFlag<T extends string>(
  flags: Flags,
  name: string,
  choices: readonly T[],
  fallback?: T,
): T {
  const value = stringFlag(flags, name) ?? fallback
  if (value === undefined) throw new CliError(`${name} is required (${choices.join(', ')})`, 2)
  if (!(choices as readonly string[]).includes(value))
    throw new CliError(`${name} must be one of ${choices.join(', ')}`, 2)
  return value as T
}

/**
 * ` "name"` for a plain command or option name; nothing for anything else, which may be a secret.
 *
 * @example
 *
 * ```ts
 * printable('--port') // ' "--port"'
 * printable('postgres://u:pw@h/db') // ''
 * ```
 *
 * @internal
 */
export function printable(name: string): string {
  return /^-{0,2}[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(name) ? ` ${JSON.stringify(name)}` : ''
}

/**
 * The number of single-character insertions, deletions, substitutions and swaps of two adjacent
 * characters that turn `a` into `b` (optimal string alignment distance).
 *
 * @example
 *
 * ```ts
 * editDistance('--secret-file', '--secrets-file') // 1
 * editDistance('vreify', 'verify') // 1
 * ```
 *
 * @internal
 */
export function editDistance(a: string, b: string): number {
  // Rows of the dynamic programming table: two back (for swaps), previous, current.
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (before[j - 2] as number) + 1)
      current.push(best)
    }
    before = previous
    previous = current
  }
  return previous[b.length] as number
}

/**
 * The candidate closest to `name`, when close enough to be a typo of it: within a third of its
 * length (at least 1, at most 3 edits), or `name` is the start of exactly one candidate. Ties go to
 * the first candidate listed.
 *
 * @example
 *
 * ```ts
 * closestName('--secret-file', ['--id', '--secrets-file']) // '--secrets-file'
 * closestName('--frobnicate', ['--id', '--secrets-file']) // undefined
 * ```
 *
 * @internal
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  // Never suggest for something that is not a plain name: it may be a secret.
  if (printable(name) === '') return undefined
  const limit = Math.min(3, Math.max(1, Math.floor(name.replace(/^-+/, '').length / 3)))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== undefined && bestDistance <= limit) return best
  const extended = candidates.filter((candidate) => name.length > 2 && candidate.startsWith(name))
  return extended.length === 1 ? extended[0] : undefined
}

/**
 * `; did you mean --secrets-file?` when {@link closestName} finds one, else nothing.
 *
 * @example
 *
 * ```ts
 * didYouMean('--secret-file', ['--secrets-file']) // '; did you mean --secrets-file?'
 * ```
 *
 * @internal
 */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const suggestion = closestName(name, candidates)
  return suggestion === undefined ? '' : `; did you mean ${suggestion}?`
}
