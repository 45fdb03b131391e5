// `credsign/testing`: helpers for testing code built on credsign, runtime-neutral like the core.
export { runKeyStoreContract, makeTestRecord } from './store-contract.js'
export type { ContractTestApi, StoreUnderTest, TestRecordOptions } from './store-contract.js'
