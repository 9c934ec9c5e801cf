import { accessLoggerOf, createServiceLogger } from './logger.options';

describe('createServiceLogger', () => {
  it('keeps access-log lines (info) when LOG_LEVEL is above info: ACCESS_LOG decides which requests get one', () => {
    const logger = createServiceLogger({ level: 'warn', service: 'test' });
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(accessLoggerOf(logger).isLevelEnabled('info')).toBe(true);
  });

  it('silences access-log lines too at LOG_LEVEL=silent', () => {
    const logger = createServiceLogger({ level: 'silent', service: 'test' });
    expect(accessLoggerOf(logger).isLevelEnabled('info')).toBe(false);
  });
});
