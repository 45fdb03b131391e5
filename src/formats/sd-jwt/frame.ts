import { CredsignError } from '../../errors/credsign-error.js'
import { isPlainObject } from '../../jose/json.js'
import type { DisclosureFrame } from './types.js'

/** Most decoys one level may ask for. */
const MAX_DECOYS = 1000

/**
 * The checked parts of one level of a {@link DisclosureFrame}: the names (object level) or indexes
 * (array level) in `_sd`, the decoy count, and the inner frames. `invalid_argument` for a frame
 * that is not an object, an `_sd` that is not an array of names / indexes, or a bad `_sd_decoy`.
 *
 * @internal
 */
export interface FrameLevel {
  names: ReadonlySet<string>
  indexes: ReadonlySet<number>
  decoys: number
  inner(key: string | number): DisclosureFrame | undefined
}

/** A frame level (`undefined`: nothing disclosable here). @internal */
export function frameLevel(frame: unknown, path: string): FrameLevel {
  if (frame === undefined) return EMPTY
  if (!isPlainObject(frame))
    throw new CredsignError(
      'invalid_argument',
      `the disclosure frame at ${path || 'the top level'} must be an object`,
    )
  const sd = frame._sd ?? []
  if (!Array.isArray(sd))
    throw new CredsignError(
      'invalid_argument',
      `${path || 'the frame'}: _sd must be an array of claim names or array indexes`,
    )
  const names = new Set<string>()
  const indexes = new Set<number>()
  for (const entry of sd as unknown[]) {
    if (typeof entry === 'number' && Number.isSafeInteger(entry) && entry >= 0) indexes.add(entry)
    else if (typeof entry === 'string') {
      names.add(entry)
      if (/^(0|[1-9][0-9]*)$/.test(entry)) indexes.add(Number(entry))
    } else
      throw new CredsignError(
        'invalid_argument',
        `${path || 'the frame'}: _sd lists claim names (strings) or array indexes (non-negative integers)`,
      )
  }
  const decoys = frame._sd_decoy ?? 0
  if (
    typeof decoys !== 'number' ||
    !Number.isSafeInteger(decoys) ||
    decoys < 0 ||
    decoys > MAX_DECOYS
  ) {
    throw new CredsignError(
      'invalid_argument',
      `${path || 'the frame'}: _sd_decoy must be an integer from 0 to ${MAX_DECOYS}`,
    )
  }
  return {
    names,
    indexes,
    decoys,
    inner(key) {
      const name = String(key)
      if (
        name === '_sd' ||
        name === '_sd_decoy' ||
        !Object.prototype.hasOwnProperty.call(frame, name)
      )
        return undefined
      const value = frame[name]
      if (value === undefined) return undefined
      if (!isPlainObject(value))
        throw new CredsignError(
          'invalid_argument',
          `the disclosure frame member ${JSON.stringify(name.slice(0, 40))} at ${path || 'the top level'} must be an object`,
        )
      return value as DisclosureFrame
    },
  }
}

const EMPTY: FrameLevel = {
  names: new Set(),
  indexes: new Set(),
  decoys: 0,
  inner: () => undefined,
}
