import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { loadPrimaryConfig } from '../config/primary.config';
import { JwtService } from './jwt.service';

const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
// Subjects and organizations are UUIDs (verification refuses anything else).
const [USER_1, USER_2, ORG] = [
  '5d1b2a44-0c34-4a5e-9a1e-2f0e3c6c7a01',
  '0e6c1f3a-2b4d-4f5e-8a7b-9c0d1e2f3a4b',
  '7b0f5d0e-8a9c-4d3b-b1a2-c3d4e5f60718',
];
const base = {
  DATABASE_URL: 'postgres://h/db',
  REDIS_URL: 'redis://h',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};

async function service(key: string, previous?: string): Promise<JwtService> {
  const jwt = new JwtService(
    loadPrimaryConfig({ ...base, JWT_PRIVATE_KEY: key, ...(previous ? { JWT_PREVIOUS_KEY: previous } : {}) }),
  );
  await jwt.onModuleInit();
  return jwt;
}

describe('JwtService key rotation', () => {
  it('keeps accepting tokens of the previous key while it is configured, and lists both in the JWKS', async () => {
    const oldKey = pem();
    const newKey = pem();
    const before = await service(oldKey);
    const { token } = await before.issue(USER_1, ORG);

    const rotated = await service(newKey, oldKey);
    expect(await rotated.verify(token)).toMatchObject({ sub: USER_1, org: ORG });
    expect(rotated.jwks().keys).toHaveLength(2);
    const fresh = await rotated.issue(USER_2, ORG);
    expect(await rotated.verify(fresh.token)).toMatchObject({ sub: USER_2 });

    const after = await service(newKey);
    expect(await after.verify(token)).toBeUndefined();
    expect(after.jwks().keys).toHaveLength(1);
  });
});

describe('JwtService verification policy', () => {
  const signed = async (key: string, build: (jwt: SignJWT) => SignJWT, kid: string) =>
    build(
      new SignJWT({ org: ORG })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(USER_1)
        .setIssuer('mazevault'),
    ).sign(createPrivateKey(key));
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts an audience array containing ours only when JWT_ALLOW_AUDIENCE_ARRAY is on', async () => {
    const key = pem();
    const strict = await service(key);
    const lenient = new JwtService(
      loadPrimaryConfig({ ...base, JWT_PRIVATE_KEY: key, JWT_ALLOW_AUDIENCE_ARRAY: 'true' }),
    );
    await lenient.onModuleInit();
    const kid = decodeProtectedHeader((await strict.issue(USER_1, ORG)).token).kid!;
    const token = await signed(
      key,
      (j) =>
        j
          .setAudience(['mazevault-api', 'other'])
          .setIssuedAt(now())
          .setExpirationTime(now() + 600),
      kid,
    );
    expect(await strict.verify(token)).toBeUndefined();
    expect(await lenient.verify(token)).toMatchObject({ sub: USER_1 });
  });

  it('caps the lifetime at JWT_MAX_TTL_SECONDS, which may not be below JWT_TTL_SECONDS', async () => {
    const key = pem();
    const jwt = new JwtService(
      loadPrimaryConfig({ ...base, JWT_PRIVATE_KEY: key, JWT_MAX_TTL_SECONDS: '3600' }),
    );
    await jwt.onModuleInit();
    const kid = decodeProtectedHeader((await jwt.issue(USER_1, ORG)).token).kid!;
    const aud = (j: SignJWT) => j.setAudience('mazevault-api').setIssuedAt(now());
    expect(
      await jwt.verify(await signed(key, (j) => aud(j).setExpirationTime(now() + 3600), kid)),
    ).toMatchObject({ sub: USER_1 });
    expect(
      await jwt.verify(await signed(key, (j) => aud(j).setExpirationTime(now() + 3601), kid)),
    ).toBeUndefined();
    expect(() =>
      loadPrimaryConfig({
        ...base,
        JWT_PRIVATE_KEY: key,
        JWT_TTL_SECONDS: '900',
        JWT_MAX_TTL_SECONDS: '600',
      }),
    ).toThrow(/JWT_MAX_TTL_SECONDS/);
  });
});
