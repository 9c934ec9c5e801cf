import { defineProfile } from './certificate-profile';

describe('defineProfile', () => {
  it('canonicalizes domains and fills safe defaults', () => {
    const profile = defineProfile({ name: 'p', maxTtlSeconds: 3600, allowedDomains: ['Bücher.Example.'] });
    expect(profile.allowedDomains).toEqual(['xn--bcher-kva.example']);
    expect(profile).toMatchObject({
      allowWildcards: false,
      allowSubdomains: false,
      minRsaBits: 2048,
      extendedKeyUsages: ['serverAuth'],
      requireSubjectAltName: true,
    });
    expect(Object.isFrozen(profile)).toBe(true);
  });

  it.each<[string, object]>([
    ['TLS server max TTL above 398 days', { maxTtlSeconds: 399 * 86400 }],
    ['RSA minimum below 2048', { minRsaBits: 1024 }],
    ['keyCertSign on a leaf profile', { keyUsages: ['keyCertSign'] }],
    ['unknown EKU', { extendedKeyUsages: ['anything'] }],
    ['wildcard as an allowed domain', { allowedDomains: ['*.example.com'] }],
    ['bad CIDR', { allowedIpRanges: ['10.0.0.0/33'] }],
    ['non-positive TTL', { maxTtlSeconds: 0 }],
  ])('refuses %s', (_name, overrides) => {
    expect(() => defineProfile({ name: 'p', maxTtlSeconds: 3600, ...overrides })).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/invalid_profile|invalid_name/) }),
    );
  });

  it('allows long-lived client profiles (the 398-day rule is for TLS servers)', () => {
    expect(
      defineProfile({ name: 'c', maxTtlSeconds: 730 * 86400, extendedKeyUsages: ['clientAuth'] })
        .maxTtlSeconds,
    ).toBe(730 * 86400);
  });
});
