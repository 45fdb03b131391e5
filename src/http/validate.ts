import type * as z from 'zod'
import { HttpError, type ProblemDetail } from './problem.js'

/**
 * `schema.parse(body)`, or `invalid_request` (400) listing every violation with its JSON path.
 * Messages name the rule broken, never the value (a secret may be the value).
 *
 * @internal
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const details: ProblemDetail[] = result.error.issues.slice(0, 20).map((issue) => {
    const path = pathText(issue.path)
    const detail: ProblemDetail = { code: 'invalid_request', message: messageOf(issue) }
    if (path !== '') detail.path = path
    return detail
  })
  const first = details[0]!
  throw new HttpError(
    'invalid_request',
    `${first.path === undefined ? '' : `${first.path}: `}${first.message}`,
    {},
    details,
  )
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys
      .slice(0, 5)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ')}`
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`
  if (issue.code === 'too_small') return `too small (minimum ${String(issue.minimum)})`
  if (issue.code === 'too_big') return `too big (maximum ${String(issue.maximum)})`
  if (issue.code === 'invalid_value')
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
  if (issue.code === 'invalid_format') return issue.message ?? `invalid ${issue.format}`
  if (issue.code === 'invalid_union') return 'not any of the accepted shapes'
  if (issue.code === 'custom') return issue.message ?? 'invalid'
  return 'invalid'
}

function pathText(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out === '' ? String(segment) : `.${String(segment)}`
  }
  return out
}
