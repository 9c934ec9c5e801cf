import { generateKeyPairSync } from 'node:crypto';
import { loadPrimaryConfig } from '../config/primary.config';
import { JwtService } from './jwt.service';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const base = { DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h', MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };

async function service(key: string, previous?: string): Promise<JwtService> {
  const jwt = new JwtService(loadPrimaryConfig({ ...base, JWT_PRIVATE_KEY: key, ...(previous ? { JWT_PREVIOUS_KEY: previous } : {}) }));
  await jwt.onModuleInit();
  return jwt;
}

describe('JwtService key rotation', () => {
  it('keeps accepting tokens of the previous key while it is configured, and lists both in the JWKS', async () => {
    const oldKey = pem();
    const newKey = pem();
    const before = await service(oldKey);
    const { token } = await before.issue('user-1', 'org-1');

    const rotated = await service(newKey, oldKey);
    expect(await rotated.verify(token)).toMatchObject({ sub: 'user-1', org: 'org-1' });
    expect(rotated.jwks().keys).toHaveLength(2);
    const fresh = await rotated.issue('user-2', 'org-1');
    expect(await rotated.verify(fresh.token)).toMatchObject({ sub: 'user-2' });

    const after = await service(newKey);
    expect(await after.verify(token)).toBeUndefined();
    expect(after.jwks().keys).toHaveLength(1);
  });
});
