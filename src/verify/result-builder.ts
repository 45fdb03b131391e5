import type { ErrorCode } from '../errors/credsign-error.js'
import type {
  VerificationCheck,
  VerificationFormat,
  VerificationIssue,
  VerificationResult,
} from './types.js'

/** Accumulates the checks and errors of one verification, in the order they ran. @internal */
export class ResultBuilder {
  format: VerificationFormat
  readonly checks: VerificationCheck[] = []
  readonly errors: VerificationIssue[] = []
  readonly extra: Omit<VerificationResult, 'verified' | 'format' | 'checks' | 'errors'> = {}

  constructor(format: VerificationFormat) {
    this.format = format
  }

  pass(name: string, detail?: string): void {
    this.checks.push(detail === undefined ? { name, passed: true } : { name, passed: true, detail })
  }

  /** A failed check with one error. */
  fail(name: string, code: ErrorCode, message: string, path?: string): void {
    this.checks.push({ name, passed: false, detail: message })
    this.issue(code, message, path)
  }

  /** An error without a check entry of its own (a second problem of the same check). */
  issue(code: ErrorCode, message: string, path?: string): void {
    this.errors.push(path === undefined ? { code, message } : { code, message, path })
  }

  get failed(): boolean {
    return this.errors.length > 0
  }

  result(): VerificationResult {
    return {
      verified: this.errors.length === 0,
      format: this.format,
      ...this.extra,
      checks: this.checks,
      errors: this.errors,
    }
  }
}
