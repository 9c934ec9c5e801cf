import { z } from 'zod';
import { sensitive } from './config.loader';
import { serviceHelp, wantsHelp } from './service-help';

describe('serviceHelp', () => {
  const text = serviceHelp({
    command: 'node dist/main.js',
    summary: 'A test service.',
    shape: {
      PORT: z.coerce.number().default(8443),
      DATABASE_URL: sensitive(z.string()),
      MASTER_KEY: sensitive(z.string().default('do-not-print-me')),
      REDIS_URL: z.string().optional(),
    },
  });

  it('lists every variable with its default, "required" or "optional"', () => {
    expect(text).toContain('Usage: node dist/main.js');
    expect(text).toMatch(/^ {2}PORT +default 8443$/m);
    expect(text).toMatch(/^ {2}DATABASE_URL +required, secret$/m);
    expect(text).toMatch(/^ {2}REDIS_URL +optional$/m);
  });

  it("never prints a secret's default", () => {
    expect(text).toMatch(/^ {2}MASTER_KEY +has a default, secret$/m);
    expect(text).not.toContain('do-not-print-me');
  });

  it('recognises --help and -h only', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--port', '1'])).toBe(false);
  });
});
