export { CredsignError } from './credsign-error.js'
export type { ErrorCode, CredsignErrorOptions } from './credsign-error.js'
