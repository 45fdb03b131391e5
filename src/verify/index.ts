/**
 * The verification engine's types: what `verify()` answers and how a format plugs into it.
 *
 * @module
 */
export type {
  FormatHandler,
  StatusChecker,
  VerificationCheck,
  VerificationFormat,
  VerificationIssue,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from './types.js'
export type { RelatedResourceOptions } from './related-resources.js'
export type {
  StatusListLimits,
  StatusListRequest,
  StatusListSource,
  StatusOutcome,
} from './status-list-source.js'
