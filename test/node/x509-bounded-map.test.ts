// The bounded map of the lazily loaded X.509 chunk (src/x509/bounded-map.ts), which holds the CRL
// cache: bounded in entries and in the total weight of its values, forgetting the least recently
// used first.
import { describe, expect, it } from 'vitest'
import { BoundedMap } from '../../src/x509/bounded-map.js'

describe('BoundedMap with a total weight bound', () => {
  it('filled past its weight bound, holds at most that weight: the newest entries', () => {
    const map = new BoundedMap<Uint8Array>(64, { of: (bytes) => bytes.length, max: 1000 })
    for (let index = 0; index < 40; index++) {
      map.set(`crl-${index}`, new Uint8Array(100 + index))
      expect(map.totalWeight).toBeLessThanOrEqual(1000)
    }
    // 139 + 138 + … + 133 = 952: the seven newest fit, the eighth (132) would not.
    const kept = Array.from({ length: 40 }, (_, index) => `crl-${index}`).filter(
      (key) => map.get(key) !== undefined,
    )
    expect(kept).toEqual(['crl-33', 'crl-34', 'crl-35', 'crl-36', 'crl-37', 'crl-38', 'crl-39'])
    expect(map.totalWeight).toBe(952)
  })

  it('evicts the least recently used, read or written; a value heavier than the bound alone is not kept', () => {
    const map = new BoundedMap<number>(10, { of: (weight) => weight, max: 100 })
    map.set('a', 40)
    map.set('b', 40)
    map.get('a') // now b is the least recently used
    map.set('c', 40)
    expect(map.get('b')).toBeUndefined()
    expect(map.get('a')).toBe(40)
    expect(map.get('c')).toBe(40)
    expect(map.totalWeight).toBe(80)
    map.set('huge', 101)
    expect(map.get('huge')).toBeUndefined()
    expect(map.totalWeight).toBe(80)
    // Replacing a value counts its new weight only; deleting and clearing give the weight back.
    map.set('a', 10)
    expect(map.totalWeight).toBe(50)
    map.delete('c')
    expect(map.totalWeight).toBe(10)
    map.clear()
    expect(map.totalWeight).toBe(0)
    expect(map.get('a')).toBeUndefined()
  })

  it('without a weight bound, the entry count alone bounds it (as before)', () => {
    const map = new BoundedMap<string>(2)
    map.set('a', '1')
    map.set('b', '2')
    map.set('c', '3')
    expect(map.get('a')).toBeUndefined()
    expect(map.get('c')).toBe('3')
    expect(map.totalWeight).toBe(0)
  })
})
