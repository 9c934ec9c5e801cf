import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerHttpMetrics } from './http-metrics';
import { METRICS_REGISTRY } from './metrics.tokens';

/** Puts the request metrics on the app's Fastify instance: every service with PlatformModule has them. */
@Injectable()
export class HttpMetricsInstaller implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    // Runs while the app initializes, before Fastify is ready (hooks can still be added); a
    // standalone context (no HTTP adapter) has no requests to count.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerHttpMetrics(fastify, this.registry);
  }
}
