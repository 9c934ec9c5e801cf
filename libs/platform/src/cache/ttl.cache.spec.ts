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

describe('TtlCache.getOrLoad', () => {
  /** A load the test settles by hand, counting how often it was started. */
  function manualLoad<V>() {
    const state = { calls: 0, resolve: (_value: V) => {}, reject: (_error: Error) => {} };
    const load = () => {
      state.calls += 1;
      return new Promise<V>((resolve, reject) => {
        state.resolve = resolve;
        state.reject = reject;
      });
    };
    return { state, load };
  }

  it('runs one load for every caller that misses while it is in flight, then serves the stored value', async () => {
    const cache = new TtlCache<string>(60_000, 10);
    const { state, load } = manualLoad<string>();
    const callers = Array.from({ length: 50 }, () => cache.getOrLoad('k', load));
    expect(state.calls).toBe(1);
    state.resolve('v');
    expect(await Promise.all(callers)).toEqual(Array(50).fill('v'));
    expect(cache.get('k')).toBe('v');
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('not called')))).resolves.toBe('v');
  });

  it('does not store what a load read when the cache was invalidated while it ran', async () => {
    const cache = new TtlCache<string>(60_000, 10);
    const { state, load } = manualLoad<string>();
    const stale = cache.getOrLoad('secret/a', load);
    cache.deletePrefix('secret/');
    // A caller after the invalidation starts a fresh load rather than joining the stale one.
    const fresh = manualLoad<string>();
    const after = cache.getOrLoad('secret/a', fresh.load);
    expect(fresh.state.calls).toBe(1);
    fresh.state.resolve('new');
    expect(await after).toBe('new');
    // The stale read finishes last: it answers its own callers but must not overwrite the fresh entry.
    state.resolve('old');
    expect(await stale).toBe('old');
    expect(cache.get('secret/a')).toBe('new');
  });

  it('stores nothing for a failed load or one its keep predicate refuses, and the next caller loads again', async () => {
    const cache = new TtlCache<string | null>(60_000, 10);
    const failing = manualLoad<string | null>();
    const first = cache.getOrLoad('k', failing.load);
    failing.state.reject(new Error('database down'));
    await expect(first).rejects.toThrow('database down');
    expect(cache.get('k')).toBeUndefined();

    const refused = manualLoad<string | null>();
    const second = cache.getOrLoad('k', refused.load, (value) => value !== null);
    expect(refused.state.calls).toBe(1);
    refused.state.resolve(null);
    expect(await second).toBeNull();
    expect(cache.get('k')).toBeUndefined();
  });
});
