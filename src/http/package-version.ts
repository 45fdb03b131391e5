/** The package version reported by `/health` (a test keeps it equal to package.json). @internal */
export const CREDSIGN_VERSION = '0.1.0'
