import { ConfigValidationError } from '@mazevault/platform';
import { generateKeyPairSync } from 'node:crypto';
import { loadCliDatabaseConfig, loadCliMasterKeyConfig } from './cli.config';
import { loadPrimaryConfig, PRIMARY_CONFIG_SHAPE } from './primary.config';
import { redactConfig } from '@mazevault/platform';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const valid = { DATABASE_URL: 'postgres://u:pw@h/db', REDIS_URL: 'redis://h:6379', JWT_PRIVATE_KEY: key };

describe('Primary config', () => {
  it('loads with defaults', () => {
    expect(loadPrimaryConfig(valid)).toMatchObject({
      PORT: 8080,
      JWT_TTL_SECONDS: 900,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_LOCKOUT_SECONDS: 900,
      BODY_LIMIT_BYTES: 1048576,
    });
    // The audit export is off unless configured; checkpoints still go to the log.
    expect(loadPrimaryConfig(valid)).toMatchObject({ AUDIT_CHECKPOINT_INTERVAL_MS: 300000 });
    expect(loadPrimaryConfig(valid).AUDIT_EXPORT_PATH).toBeUndefined();
  });

  it.each([
    ['DATABASE_URL', { ...valid, DATABASE_URL: undefined }],
    ['REDIS_URL', { ...valid, REDIS_URL: 'http://h' }],
    ['JWT_PRIVATE_KEY', { ...valid, JWT_PRIVATE_KEY: 'not a key' }],
    ['PORT', { ...valid, PORT: 'eighty' }],
    ['TENANT_SALT', { ...valid, TENANT_SALT: 'short' }],
    ['AUDIT_EXPORT_PATH', { ...valid, AUDIT_EXPORT_PATH: 'relative/audit.jsonl' }],
    ['AUDIT_CHECKPOINT_INTERVAL_MS', { ...valid, AUDIT_CHECKPOINT_INTERVAL_MS: '-1' }],
    // The PKI settings are part of the one validated config: refused at start-up, not when the module loads.
    ['OCSP_URL', { ...valid, OCSP_URL: 'ldap://ocsp' }],
    ['PKI_CRL_VALIDITY_SECONDS', { ...valid, PKI_CRL_VALIDITY_SECONDS: String(8 * 24 * 3600) }],
  ])('a bad %s stops start-up with a message naming it', (variable, env) => {
    expect(() => loadPrimaryConfig(env)).toThrow(ConfigValidationError);
    expect(() => loadPrimaryConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  - ${variable}: `));
  });

  it('carries the PKI settings, with their defaults', () => {
    expect(loadPrimaryConfig(valid)).toMatchObject({
      PKI_PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
      PKI_ISSUANCE_WORKERS: 1,
    });
    expect(loadPrimaryConfig({ ...valid, OCSP_URL: 'http://ocsp.example.net' }).OCSP_URL).toBe(
      'http://ocsp.example.net',
    );
  });

  it('validates what the CLIs read with the same schema, asking only for what they need', () => {
    expect(loadCliDatabaseConfig({ DATABASE_URL: 'postgres://u@h/db' })).toEqual({
      DATABASE_URL: 'postgres://u@h/db',
    });
    expect(() => loadCliDatabaseConfig({})).toThrow(/^Invalid configuration:\n {2}- DATABASE_URL: /);
    expect(() => loadCliDatabaseConfig({ DATABASE_URL: 'mysql://h/db' })).toThrow(
      /DATABASE_URL: expected a URL/,
    );
    expect(loadCliMasterKeyConfig({ DATABASE_URL: 'postgres://u@h/db', MASTER_KEY: 'k' })).toMatchObject({
      MASTER_KEY_PROVIDER: 'env',
      MASTER_KEY: 'k',
    });
  });

  it('redacts secrets when printed', () => {
    const printed = JSON.stringify(
      redactConfig(loadPrimaryConfig({ ...valid, TENANT_SALT: 'x'.repeat(20) }), PRIMARY_CONFIG_SHAPE),
    );
    expect(printed).not.toContain('pw@');
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).not.toContain('xxxxxxxxxxxxxxxxxxxx');
  });
});
