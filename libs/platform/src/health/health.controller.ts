import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@mazevault/rbac';
import { HEALTH_CHECKS, type HealthCheck } from './health.tokens';

interface StatusReply {
  status(code: number): { send(body: unknown): unknown };
}

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  /** Liveness is the process answering; readiness is every dependency answering within 2 s. */
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness (PostgreSQL, Redis, ...)' })
  @ApiOkResponse({ description: 'ready' })
  @ApiServiceUnavailableResponse({ description: 'a dependency is down' })
  async health(@Res() reply: StatusReply): Promise<void> {
    const results = await Promise.all(this.checks.map((check) => runCheck(check)));
    const ready = results.every((r) => r.status === 'up' || r.critical === false);
    const allUp = results.every((r) => r.status === 'up');
    reply.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send({
      status: allUp ? 'ok' : 'degraded',
      live: true,
      ready,
      checks: Object.fromEntries(
        results.map((r) => [
          r.name,
          {
            status: r.status,
            ...(r.error ? { error: r.error } : {}),
            ...(r.critical === false ? { critical: false } : {}),
            ...(r.details ? r.details : {}),
          },
        ]),
      ),
    });
  }
}

/** Liveness only: the process answers. Probes that restart pods must not depend on the database. */
@ApiTags('health')
@Public()
@Controller('health/live')
export class LivenessController {
  @Get()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests' })
  live(): { status: 'ok'; live: true } {
    return { status: 'ok', live: true };
  }
}

interface CheckResult {
  name: string;
  status: 'up' | 'down';
  error?: string;
  critical?: boolean;
  details?: Record<string, string | number | boolean | null>;
}

async function runCheck(check: HealthCheck): Promise<CheckResult> {
  const extra = {
    ...(check.critical === false ? { critical: false } : {}),
  };
  const withDetails = (r: CheckResult): CheckResult =>
    check.details ? { ...r, details: check.details() } : r;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return withDetails({ name: check.name, status: 'up', ...extra });
  } catch (error) {
    // Only a generic reason: driver messages can carry host names or credentials.
    return withDetails({
      name: check.name,
      status: 'down',
      error: error instanceof Error && error.message === 'timed out' ? 'timeout' : 'unreachable',
      ...extra,
    });
  } finally {
    clearTimeout(timer);
  }
}
