/**
 * Merges constructor defaults with per-call options (per-call wins, `undefined` does not override).
 *
 * @internal
 */
export function mergeOptions<T extends object>(defaults: T | undefined, options: T | undefined): T {
  const merged = { ...defaults } as Record<string, unknown>
  for (const [name, value] of Object.entries(options ?? {}))
    if (value !== undefined) merged[name] = value
  return merged as T
}
