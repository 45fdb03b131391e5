import { describe, expect, it } from 'vitest'
import { clearCaches, type CachePeer } from '../../src/cli/cluster.js'

/** A worker whose channel answers `cache.clear` as told, recording the signals it is sent. */
function peer(
  answer: 'confirm' | 'fail' | 'silent',
  ready = true,
): CachePeer & { kills: string[]; asked: string[] } {
  const kills: string[] = []
  const asked: string[] = []
  return {
    kills,
    asked,
    ready,
    worker: { kill: (signal) => kills.push(signal ?? 'SIGTERM') },
    channel: {
      request: (kind, _payload, timeoutMs) => {
        asked.push(kind)
        if (answer === 'confirm') return Promise.resolve(true)
        if (answer === 'fail') return Promise.reject(new Error('the IPC channel is closed'))
        // Never answers: the channel's own timeout rejects.
        return new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs),
        )
      },
    },
  }
}

describe('clearCaches (credsign serve --workers: a changed or deleted key)', () => {
  it('kills a worker that does not confirm clearing its unlock cache, and only that one', async () => {
    const confirming = peer('confirm')
    const silent = peer('silent')
    const gone = peer('fail')
    const started = Date.now()
    await clearCaches([confirming, silent, gone], 50)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect([confirming.asked, silent.asked, gone.asked]).toEqual([
      ['cache.clear'],
      ['cache.clear'],
      ['cache.clear'],
    ])
    expect(confirming.kills).toEqual([])
    expect(silent.kills).toEqual(['SIGKILL'])
    expect(gone.kills).toEqual(['SIGKILL'])
  })

  it('does not kill a worker still starting (not ready: it may not listen for messages yet, and has served nothing)', async () => {
    const starting = peer('silent', false)
    const confirming = peer('confirm')
    await clearCaches([starting, confirming], 50)
    expect(starting.asked).toEqual(['cache.clear'])
    expect(starting.kills).toEqual([])
    expect(confirming.kills).toEqual([])
  })

  it('resolves at once without workers', async () => {
    await expect(clearCaches([])).resolves.toBeUndefined()
  })
})
