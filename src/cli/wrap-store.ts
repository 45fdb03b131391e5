import type { KeyStore } from '../stores/key-store.js'

/** The operations {@link wrapStore} can replace. @internal */
export type StoreOperations = Partial<
  Pick<KeyStore, 'create' | 'get' | 'update' | 'delete' | 'list' | 'ping'>
>

/**
 * `store` with some operations replaced: every other one (and `maxKeyIdLength`, `ping` when the
 * store has one) passes through. The one way `credsign serve` layers a read-only refusal, metrics
 * and the workers' cache invalidation over a store.
 *
 * @example
 *
 * ```ts
 * const counted = wrapStore(store, {
 *   get: async (id) => {
 *     reads++
 *     return store.get(id)
 *   },
 * })
 * ```
 *
 * @internal
 */
export function wrapStore(store: KeyStore, replaced: StoreOperations): KeyStore {
  const wrapped: KeyStore = {
    create: (record) => store.create(record),
    get: (id) => store.get(id),
    update: (record) => store.update(record),
    delete: (...args) => store.delete(...args),
    list: (listOptions) => store.list(listOptions),
    ...(store.maxKeyIdLength === undefined ? {} : { maxKeyIdLength: store.maxKeyIdLength }),
    ...replaced,
  }
  if (wrapped.ping === undefined && store.ping !== undefined) wrapped.ping = () => store.ping!()
  return wrapped
}
