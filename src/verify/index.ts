export { verify } from './verify.js'
export type {
  FormatHandler,
  VerificationCheck,
  VerificationFormat,
  VerificationIssue,
  VerificationResult,
  VerifyContext,
  VerifyOptions,
} from './types.js'
