import { staticSecurityHeaders } from './security-headers';

describe('staticSecurityHeaders', () => {
  it("captures helmet's headers once", () => {
    const headers = staticSecurityHeaders();
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['cache-control']).toBe('no-store');
  });
});
