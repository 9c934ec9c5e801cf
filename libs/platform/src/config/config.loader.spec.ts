import { z } from 'zod';
import {
  ConfigValidationError,
  env,
  loadConfig,
  redactConfig,
  sensitive,
  sensitiveKeys,
} from './config.loader';

const shape = {
  PORT: env.port(8080),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  TENANT_SALT: sensitive(z.string().min(16)).optional(),
  DEBUG: env.bool(false),
};

describe('loadConfig', () => {
  it('applies defaults and coercions', () => {
    const config = loadConfig(shape, { DATABASE_URL: 'postgres://u@h/db', DEBUG: 'yes' });
    expect(config).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://u@h/db',
      DEBUG: true,
      TENANT_SALT: undefined,
    });
  });

  it('names the variable that is missing or bad, without echoing its value', () => {
    let error: unknown;
    try {
      loadConfig(shape, { PORT: '99999', DATABASE_URL: 'mysql://secret-password@h/db' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/DATABASE_URL: expected a URL \(postgres, postgresql\)/);
    expect(message).not.toContain('secret-password');
  });

  it('treats an empty string as unset', () => {
    expect(() => loadConfig(shape, { DATABASE_URL: '' })).toThrow(/DATABASE_URL/);
  });

  it('redacts sensitive fields, including optional ones', () => {
    expect(sensitiveKeys(shape).sort()).toEqual(['DATABASE_URL', 'TENANT_SALT']);
    const config = loadConfig(shape, { DATABASE_URL: 'postgres://u:pw@h/db', TENANT_SALT: 'x'.repeat(16) });
    expect(redactConfig(config, shape)).toMatchObject({
      DATABASE_URL: '[REDACTED]',
      TENANT_SALT: '[REDACTED]',
      PORT: 8080,
    });
  });
});
