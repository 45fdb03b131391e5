/** The answer of {@link AttemptLimiter.begin}. */
export type Admission = { admitted: true } | { admitted: false; retryAt: number }

/** How an admitted attempt ended. */
export type AttemptOutcome =
  /** The secrets were right: the failure count resets. */
  | 'success'
  /** The secrets were wrong (or the key unknown): the attempt stays counted. */
  | 'failure'
  /** The attempt never tested the secrets (a storage or integrity error): it is uncounted. */
  | 'void'

/**
 * Limits failed unlock attempts. An attempt is counted as a failure the moment it is admitted and
 * un-counted only by its outcome, so concurrent guesses can never exceed the limit, and a crash
 * mid-attempt fails safe. Implementations must make `begin` atomic per key.
 *
 * @example
 *
 * ```ts
 * import { MemoryAttemptLimiter } from 'credsign'
 * const limiter = new MemoryAttemptLimiter({ maxFailures: 3 })
 * const admission = await limiter.begin('issuer-1', Date.now())
 * if (admission.admitted) await limiter.end('issuer-1', 'success', Date.now())
 * ```
 */
export interface AttemptLimiter {
  /** Admits (and provisionally counts) one attempt on `key`, or says when to retry. */
  begin(key: string, now: number): Promise<Admission>
  /** Records how an admitted attempt ended. */
  end(key: string, outcome: AttemptOutcome, now: number): Promise<void>
}

/** The lockout policy. Defaults: 5 failures within 15 minutes lock for 15 minutes. */
export interface LockoutPolicy {
  /** Failures that lock the key (default 5). */
  maxFailures?: number
  /** Window in which failures add up, in milliseconds (default 15 minutes). */
  windowMs?: number
  /** How long a lock lasts, in milliseconds (default 15 minutes). */
  lockoutMs?: number
}
