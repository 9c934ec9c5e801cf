import type { Logger as TypeormLogger } from 'typeorm';

/** The pino methods the database log needs (a pino Logger fits); structured object first. */
export interface DatabaseLogSink {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Fallback for processes without pino (CLIs): one JSON line on stderr, as pino would write it. */
export const stderrDatabaseLogSink: DatabaseLogSink = {
  info: (fields, message) =>
    process.stderr.write(`${JSON.stringify({ level: 'info', ...fields, msg: message })}\n`),
  error: (fields, message) =>
    process.stderr.write(`${JSON.stringify({ level: 'error', ...fields, msg: message })}\n`),
  warn: (fields, message) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', ...fields, msg: message })}\n`),
};

/** PostgreSQL's own error fields that name the failure without quoting values. */
function describeError(error: unknown): Record<string, unknown> {
  if (typeof error === 'string') return { error };
  const e = error as {
    code?: unknown;
    message?: unknown;
    constraint?: unknown;
    table?: unknown;
    column?: unknown;
    routine?: unknown;
  };
  // `detail` and `where` are left out on purpose: "Key (email)=(alice@...) already exists" quotes the value.
  return {
    code: e.code,
    message: e.message,
    constraint: e.constraint,
    table: e.table,
    column: e.column,
    routine: e.routine,
  };
}

/**
 * TypeORM's logger, routed through the service's pino logger and never given a statement's
 * parameters: the stock logger printed failed SQL with its parameters to stdout, so a duplicate
 * user printed the submitted password's scrypt hash and a duplicate CA its sealed key blob. The SQL
 * text is kept (it holds placeholders, not values); queries are not logged at all.
 */
export class ParameterFreeTypeormLogger implements TypeormLogger {
  constructor(private readonly sink: DatabaseLogSink = stderrDatabaseLogSink) {}

  logQuery(): void {
    /* never: parameters are values */
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object): void {
    this.sink.error(
      {
        component: 'database',
        query: truncate(query),
        parameterCount: countOf(parameters),
        ...describeError(error),
      },
      'database statement failed',
    );
  }

  logQuerySlow(time: number, query: string, parameters?: unknown[] | object): void {
    this.sink.warn(
      {
        component: 'database',
        query: truncate(query),
        parameterCount: countOf(parameters),
        durationMs: time,
      },
      'slow database statement',
    );
  }

  logSchemaBuild(): void {
    /* synchronize is never used */
  }

  logMigration(message: string): void {
    this.sink.info({ component: 'database' }, message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn')
      this.sink.warn({ component: 'database' }, typeof message === 'string' ? message : 'typeorm warning');
  }
}

function truncate(query: string): string {
  return query.length > 2000 ? `${query.slice(0, 2000)}…` : query;
}

function countOf(parameters: unknown[] | object | undefined): number {
  if (!parameters) return 0;
  return Array.isArray(parameters) ? parameters.length : Object.keys(parameters).length;
}
