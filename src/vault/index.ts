export { KeyVault } from './key-vault.js'
export type {
  KeyVaultOptions,
  GenerateOptions,
  ImportOptions,
  UnlockOptions,
  RotateOptions,
  RewrapOptions,
} from './key-vault.js'
export { UnlockedKey } from './unlocked-key.js'
export type { UnlockCacheOptions } from './unlock-cache.js'
export type { KeyInfo, KeyInfoPage, KeyVersionInfo, Jwks } from './key-info.js'
export type { DidDocumentOptions } from './public-views.js'
export { MemoryAttemptLimiter, DEFAULT_LOCKOUT_POLICY } from './memory-attempt-limiter.js'
export type { MemoryAttemptLimiterOptions } from './memory-attempt-limiter.js'
export type { AttemptLimiter, Admission, AttemptOutcome, LockoutPolicy } from './attempt-limiter.js'
export type { LegacyKeySource, LegacyKeyReseal } from './legacy-key-source.js'
