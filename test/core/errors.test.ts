import { describe, expect, it } from 'vitest'
import { CredsignError } from 'credsign'

describe('CredsignError', () => {
  it('carries a stable code, a name and a message', () => {
    const e = new CredsignError('wrong_secrets', 'the secrets do not open this key')
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(CredsignError)
    expect(e.name).toBe('CredsignError')
    expect(e.code).toBe('wrong_secrets')
    expect(e.message).toBe('the secrets do not open this key')
    expect(e.retryAt).toBeUndefined()
  })

  it('keeps retryAt for locked errors', () => {
    const at = Date.now() + 1000
    const e = new CredsignError('locked', 'try later', { retryAt: at })
    expect(e.code).toBe('locked')
    expect(e.retryAt).toBe(at)
  })

  it('keeps the cause only when given', () => {
    const inner = new Error('inner')
    expect(new CredsignError('store_unavailable', 'down', { cause: inner }).cause).toBe(inner)
    expect('cause' in new CredsignError('store_unavailable', 'down')).toBe(false)
  })

  it('CredsignError.is matches the class and, optionally, the code', () => {
    const e = new CredsignError('locked', 'try later', { retryAt: 1 })
    expect(CredsignError.is(e)).toBe(true)
    expect(CredsignError.is(e, 'locked')).toBe(true)
    expect(CredsignError.is(e, 'wrong_secrets')).toBe(false)
    expect(CredsignError.is(new Error('plain'))).toBe(false)
    expect(CredsignError.is({ code: 'locked', name: 'CredsignError' })).toBe(false)
    expect(CredsignError.is(undefined)).toBe(false)
    expect(CredsignError.is('locked')).toBe(false)
  })

  it('is thrown and caught like any error', async () => {
    const fail = async (): Promise<never> => {
      throw new CredsignError('not_found', 'no such key')
    }
    await expect(fail()).rejects.toMatchObject({ code: 'not_found', name: 'CredsignError' })
    try {
      await fail()
      expect.unreachable()
    } catch (error) {
      expect(CredsignError.is(error, 'not_found')).toBe(true)
    }
  })
})

describe('CredsignError identity across bundle copies', () => {
  it('recognises errors from another copy of credsign by the registry-wide brand', () => {
    // What another bundle's CredsignError instance looks like from here: a different class
    // carrying the same Symbol.for brand.
    class OtherCopyError extends Error {
      readonly code = 'not_found'
      constructor() {
        super('from another copy')
        Object.defineProperty(this, Symbol.for('credsign.CredsignError'), { value: true })
      }
    }
    expect(new OtherCopyError() instanceof CredsignError).toBe(true)
    expect(CredsignError.is(new OtherCopyError(), 'not_found')).toBe(true)
    expect(new Error('plain') instanceof CredsignError).toBe(false)
    expect(Object.create(CredsignError.prototype) instanceof CredsignError).toBe(false)
    expect((null as unknown as object) instanceof CredsignError).toBe(false)
  })

  it('has no retryAt property unless one was given', () => {
    expect('retryAt' in new CredsignError('not_found', 'x')).toBe(false)
    expect(new CredsignError('locked', 'x', { retryAt: 5 }).retryAt).toBe(5)
  })
})

describe('CredsignError subclasses', () => {
  it('instanceof a subclass follows the prototype chain; instanceof CredsignError still holds', () => {
    class DetailedError extends CredsignError {}
    const plain = new CredsignError('malformed', 'plain')
    const detailed = new DetailedError('malformed', 'detailed')
    expect(plain instanceof DetailedError).toBe(false)
    expect(detailed instanceof DetailedError).toBe(true)
    expect(detailed instanceof CredsignError).toBe(true)
    expect(CredsignError.is(detailed, 'malformed')).toBe(true)
  })
})
