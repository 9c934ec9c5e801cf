import { compactDecrypt, CompactEncrypt, importJWK, SignJWT } from 'jose';
import {
  E2eeError,
  type E2eeKeys,
  generateE2eeKeys,
  openMessage,
  ReplayGuard,
  sealMessage,
  type SealOptions,
} from './e2ee-channel';

describe('E2EE channel (JWS in JWE with jose)', () => {
  let gateway: E2eeKeys;
  let primary: E2eeKeys;
  let other: E2eeKeys;
  const audience = 'urn:mazevault:primary:/api/v1/gateway/heartbeat:request';

  beforeAll(async () => {
    [gateway, primary, other] = await Promise.all([
      generateE2eeKeys(),
      generateE2eeKeys(),
      generateE2eeKeys(),
    ]);
  });

  const seal = (payload: unknown, overrides: Partial<SealOptions> = {}) =>
    sealMessage(payload, {
      senderId: 'gw-1',
      signingKey: gateway.signing.privateJwk,
      recipientEncryptionJwk: primary.encryption.publicJwk,
      audience,
      ttlSeconds: 60,
      ...overrides,
    });
  const open = (jwe: string, overrides: Partial<Parameters<typeof openMessage>[1]> = {}) =>
    openMessage(jwe, {
      decryptionKey: primary.encryption.privateJwk,
      senderSigningJwk: gateway.signing.publicJwk,
      expectedIssuer: 'gw-1',
      expectedAudience: audience,
      replayGuard: new ReplayGuard(),
      ...overrides,
    });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(E2eeError);
    return (error as E2eeError).code;
  };

  it('generates separate P-256 signing and encryption keys with thumbprint kids', () => {
    expect(gateway.signing.publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(gateway.signing.publicJwk).not.toHaveProperty('d');
    expect(gateway.signing.privateJwk.d).toEqual(expect.any(String));
    expect(gateway.encryption.publicJwk.x).not.toBe(gateway.signing.publicJwk.x);
  });

  it('round-trips: a JWE with cty JWT around an ES256 JWS carrying iss, aud, iat, exp, jti', async () => {
    const { jwe, jti } = await seal({ version: '1.2.3', writeQueueDepth: 7 });
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain('writeQueueDepth');
    const header = JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' });
    const inner = await compactDecrypt(jwe, await importJWK(primary.encryption.privateJwk, 'ECDH-ES+A256KW'));
    const claims = JSON.parse(
      Buffer.from(new TextDecoder().decode(inner.plaintext).split('.')[1]!, 'base64url').toString(),
    );
    expect(claims).toMatchObject({ iss: 'gw-1', aud: audience, jti, exp: claims.iat + 60 });
    expect(await open(jwe)).toEqual({ version: '1.2.3', writeQueueDepth: 7 });
  });

  it('refuses a tampered ciphertext and a message for another recipient', async () => {
    const { jwe } = await seal({ a: 1 });
    const parts = jwe.split('.');
    const c = parts[3]!;
    const i = Math.floor(c.length / 2);
    parts[3] = c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
    expect(await refusal(open(parts.join('.')))).toBe('e2ee_invalid');
    expect(await refusal(open(jwe, { decryptionKey: other.encryption.privateJwk }))).toBe('e2ee_invalid');
    expect(await refusal(open('not.a.jwe'))).toBe('e2ee_invalid');
  });

  it('refuses a message signed by another key, even one that claims the right issuer', async () => {
    const { jwe } = await seal({ a: 1 }, { signingKey: other.signing.privateJwk });
    expect(await refusal(open(jwe))).toBe('e2ee_invalid');
  });

  it('refuses a bad signature inside a valid encryption', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jws = await new SignJWT({ msg: { a: 1 } })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('gw-1')
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('j-1')
      .sign(await importJWK(gateway.signing.privateJwk, 'ES256'));
    const [h, p, s] = jws.split('.');
    const sig = Buffer.from(s!, 'base64url');
    sig[5] ^= 1;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(`${h}.${p}.${sig.toString('base64url')}`))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' })
      .encrypt(await importJWK(primary.encryption.publicJwk, 'ECDH-ES+A256KW'));
    expect(await refusal(open(jwe))).toBe('e2ee_invalid');
  });

  it('refuses the wrong issuer, the wrong audience (another route or direction) and a response to another request', async () => {
    const { jwe } = await seal({ a: 1 });
    expect(await refusal(open(jwe, { expectedIssuer: 'gw-2' }))).toBe('e2ee_invalid');
    expect(
      await refusal(
        open(jwe, { expectedAudience: 'urn:mazevault:primary:/api/v1/gateway/tasks/poll:request' }),
      ),
    ).toBe('e2ee_invalid');
    expect(await refusal(open(jwe, { expectedAudience: audience.replace(':request', ':response') }))).toBe(
      'e2ee_invalid',
    );
    const reply = await seal({ ok: true }, { inReplyTo: 'request-1' });
    expect(await refusal(open(reply.jwe, { expectedInReplyTo: 'request-2' }))).toBe('e2ee_invalid');
    expect(await open(reply.jwe, { expectedInReplyTo: 'request-1' })).toEqual({ ok: true });
  });

  it('refuses an expired message, and one issued too far in the future', async () => {
    const { jwe } = await seal({ a: 1 }, { now: new Date(Date.now() - 120_000) });
    expect(await refusal(open(jwe))).toBe('e2ee_expired');
    const future = await seal({ a: 1 }, { now: new Date(Date.now() + 600_000) });
    expect(await refusal(open(future.jwe))).toBe('e2ee_invalid');
    await expect(seal({}, { ttlSeconds: 3600 })).rejects.toThrow(RangeError);
  });

  it('refuses a replayed jti, and only after the signature checked out', async () => {
    const replayGuard = new ReplayGuard();
    const { jwe } = await seal({ a: 1 });
    expect(await open(jwe, { replayGuard })).toEqual({ a: 1 });
    expect(await refusal(open(jwe, { replayGuard }))).toBe('e2ee_replay');
    const forged = await seal({ a: 1 }, { signingKey: other.signing.privateJwk });
    await refusal(open(forged.jwe, { replayGuard }));
    expect(replayGuard.size).toBe(1);
  });
});

describe('ReplayGuard', () => {
  it('forgets expired jtis and, when full, refuses anything expiring at or before what it dropped', () => {
    const guard = new ReplayGuard(2);
    expect(guard.accept('a', 100, 50)).toBe(true);
    expect(guard.accept('a', 100, 50)).toBe(false);
    expect(guard.accept('b', 110, 50)).toBe(true);
    expect(guard.accept('c', 120, 50)).toBe(true); // drops a (exp 100): floor 100
    expect(guard.size).toBe(2);
    expect(guard.accept('a', 100, 50)).toBe(false); // a replay of the dropped one stays refused
    expect(guard.accept('d', 99, 50)).toBe(false);
    // Much later every entry has expired (beyond the clock tolerance) and is forgotten.
    expect(guard.accept('e', 1000, 900)).toBe(true);
    expect(guard.size).toBe(1);
  });
});
