export { CredsignError } from './errors/index.js'
export type { ErrorCode, CredsignErrorOptions } from './errors/index.js'
