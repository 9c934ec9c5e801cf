import { TtlCache } from './ttl.cache';

describe('TtlCache', () => {
  it('expires entries, evicts the oldest when full, and deletes by prefix', () => {
    jest.useFakeTimers();
    try {
      const cache = new TtlCache<number>(1000, 2);
      cache.set('a:1', 1);
      cache.set('a:2', 2);
      expect(cache.get('a:1')).toBe(1);
      cache.set('b:1', 3);
      expect(cache.get('a:1')).toBeUndefined();
      expect(cache.get('a:2')).toBe(2);
      cache.deletePrefix('a:');
      expect(cache.get('a:2')).toBeUndefined();
      jest.advanceTimersByTime(1001);
      expect(cache.get('b:1')).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
