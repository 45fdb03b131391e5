/*
 * Requests and replies over a Node IPC channel (a cluster worker's `process`, or the primary's
 * `Worker`): both ends may ask, each question gets exactly one answer or a timeout. Used by
 * `credsign serve --workers N` for the shared attempt limiter, unlock cache invalidation and the
 * metrics of every worker. Messages carry key ids and counts, never a secret.
 */

/** The send/receive half of a Node IPC channel. @internal */
export interface IpcEndpoint {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

/** What one end answers, by request kind. @internal */
export type IpcHandlers = Readonly<Record<string, (payload: unknown) => unknown>>

interface Envelope {
  credsignIpc: 1
  id: number
  /** A request's kind; absent in a reply. */
  kind?: string
  payload?: unknown
  /** A reply: whether the handler succeeded. */
  ok?: boolean
  error?: string
}

const isEnvelope = (message: unknown): message is Envelope =>
  typeof message === 'object' &&
  message !== null &&
  (message as { credsignIpc?: unknown }).credsignIpc === 1 &&
  typeof (message as { id?: unknown }).id === 'number'

/**
 * One end of the channel.
 *
 * @example
 *
 * ```ts
 * const channel = new IpcChannel(process, { 'cache.clear': () => vault.clearUnlockCache() })
 * const admission = await channel.request('limiter.begin', { key, now: Date.now() })
 * ```
 *
 * @internal
 */
export class IpcChannel {
  readonly #endpoint: IpcEndpoint
  readonly #handlers: IpcHandlers
  readonly #pending = new Map<
    number,
    {
      resolve: (value: unknown) => void
      reject: (error: Error) => void
      timer: ReturnType<typeof setTimeout>
    }
  >()
  #next = 1
  #closed = false
  readonly #listener = (message: unknown): void => this.#receive(message)

  constructor(endpoint: IpcEndpoint, handlers: IpcHandlers) {
    this.#endpoint = endpoint
    this.#handlers = handlers
    endpoint.on('message', this.#listener)
  }

  /** Asks the other end; rejects when it answers with an error, is gone, or takes `timeoutMs`. */
  request(kind: string, payload?: unknown, timeoutMs = 5_000): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the IPC channel is closed'))
    const id = this.#next++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`no answer to ${kind} within ${timeoutMs} ms`))
      }, timeoutMs)
      timer.unref?.()
      this.#pending.set(id, { resolve, reject, timer })
      this.#send({ credsignIpc: 1, id, kind, payload }, (error) => {
        const waiting = this.#pending.get(id)
        if (waiting === undefined) return
        this.#pending.delete(id)
        clearTimeout(waiting.timer)
        waiting.reject(error)
      })
    })
  }

  /** Stops listening and fails every question still waiting. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#endpoint.off('message', this.#listener)
    for (const [id, waiting] of this.#pending) {
      this.#pending.delete(id)
      clearTimeout(waiting.timer)
      waiting.reject(new Error('the IPC channel is closed'))
    }
  }

  #send(message: Envelope, failed: (error: Error) => void): void {
    try {
      if (this.#endpoint.send === undefined) throw new Error('no IPC channel')
      this.#endpoint.send(message, (error) => {
        if (error) failed(error)
      })
    } catch (error) {
      failed(error instanceof Error ? error : new Error('IPC send failed'))
    }
  }

  #receive(message: unknown): void {
    if (!isEnvelope(message)) return
    if (message.kind === undefined) {
      const waiting = this.#pending.get(message.id)
      if (waiting === undefined) return
      this.#pending.delete(message.id)
      clearTimeout(waiting.timer)
      if (message.ok === true) waiting.resolve(message.payload)
      else waiting.reject(new Error(message.error ?? 'the other end failed'))
      return
    }
    const handler = Object.hasOwn(this.#handlers, message.kind)
      ? this.#handlers[message.kind]
      : undefined
    const reply = (ok: boolean, payload?: unknown, error?: string): void =>
      this.#send(
        {
          credsignIpc: 1,
          id: message.id,
          ok,
          ...(payload === undefined ? {} : { payload }),
          ...(error === undefined ? {} : { error }),
        },
        () => undefined,
      )
    if (handler === undefined) {
      reply(false, undefined, `no handler for ${message.kind}`)
      return
    }
    Promise.resolve()
      .then(() => handler(message.payload))
      .then(
        (value) => reply(true, value),
        (error: unknown) =>
          reply(false, undefined, error instanceof Error ? error.message : 'failed'),
      )
  }
}
