import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@mazevault/rbac';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.tokens';

/** Prometheus scrape endpoint. Public like every scrape target; it carries no secrets or names. */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
