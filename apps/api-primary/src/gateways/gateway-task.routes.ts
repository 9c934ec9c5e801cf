import { Injectable } from '@nestjs/common';
import { GatewayPollTasksRequestSchema, GatewayTaskResultSchema } from '@mazevault/contracts';
import { parseOrProblem } from '@mazevault/platform';
import type { FastifyInstance } from 'fastify';
import { GatewayTaskLeaseService } from './gateway-task-lease.service';
import { GatewayTaskResultsService } from './gateway-task-results.service';

/** The contract's largest result (a 1 MiB rotated value), sealed and framed as JSON. */
const RESULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The task routes of the gateway listener (mTLS; the listener's onRequest hook has put the
 * authenticated gateway on request.gateway). They take and return the plain messages of the gateway
 * contract; sealing them (E2EE) is the listener's concern, not theirs.
 */
@Injectable()
export class GatewayTaskRoutes {
  constructor(
    private readonly leases: GatewayTaskLeaseService,
    private readonly results: GatewayTaskResultsService,
  ) {}

  register(server: FastifyInstance): void {
    server.post('/api/v1/gateway/tasks/poll', async (request, reply) => {
      const body = parseOrProblem(GatewayPollTasksRequestSchema, request.body);
      // A long-poll stops waiting when its client has gone (the response closes before it is sent).
      let gone = false;
      reply.raw.once('close', () => (gone = true));
      return this.leases.poll(request.gateway!, body, () => gone);
    });
    // A rotated value may be up to 1 MiB (the contract): above the listener's 64 KiB default.
    server.post('/api/v1/gateway/tasks/result', { bodyLimit: RESULT_BODY_LIMIT_BYTES }, async (request) => {
      const body = parseOrProblem(GatewayTaskResultSchema, request.body);
      return this.results.report(request.gateway!, body, request.id);
    });
  }
}
