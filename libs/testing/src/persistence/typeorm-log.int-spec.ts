import {
  createPrimaryDataSource,
  type DatabaseLogSink,
  OrganizationEntity,
  UserEntity,
} from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '../test-database';
import type { DataSource } from 'typeorm';

/** Real PostgreSQL: a failed statement is logged through the given sink, never with its parameters. */
describe('database log (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const sink: DatabaseLogSink = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };

  beforeAll(async () => {
    database = await createTestDatabase('typeorm-log');
    dataSource = await createPrimaryDataSource({ url: database.url, logSink: sink }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('a duplicate user logs the failure, not the password hash nor the email, and prints nothing to the console', async () => {
    const printed: string[] = [];
    const spies = [
      jest
        .spyOn(console, 'log')
        .mockImplementation((...args: unknown[]) => void printed.push(args.join(' '))),
      jest
        .spyOn(console, 'error')
        .mockImplementation((...args: unknown[]) => void printed.push(args.join(' '))),
      jest
        .spyOn(process.stdout, 'write')
        .mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true)),
    ];
    try {
      const org = await dataSource.getRepository(OrganizationEntity).save({ slug: 'acme', name: 'Acme' });
      const user = {
        organizationId: org.id,
        email: 'dup@example.test',
        passwordHash: 'scrypt$SECRET-HASH-VALUE',
        displayName: null,
      };
      await dataSource.getRepository(UserEntity).insert(user);
      await expect(dataSource.getRepository(UserEntity).insert(user)).rejects.toMatchObject({
        code: '23505',
      });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const failure = lines.find((line) => line.level === 'error');
    expect(failure).toMatchObject({
      message: 'database statement failed',
      fields: { code: '23505', table: 'users', parameterCount: expect.any(Number) },
    });
    expect(String(failure?.fields.query)).toContain('INSERT INTO "users"');
    const everything = JSON.stringify(lines) + printed.join('\n');
    expect(everything).not.toContain('SECRET-HASH-VALUE');
    expect(everything).not.toContain('dup@example.test');
  });
});
