import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { AuditableRequest } from '../audit/audit-spec.guard';

/** Which audited actions each domain counter counts. */
const COUNTED_ACTIONS: Readonly<Record<string, { name: string; help: string }>> = {
  'secret.read': {
    name: 'mazevault_secret_reads_total',
    help: 'Secret reads (values and canonical references), by outcome',
  },
  'secret.write': { name: 'mazevault_secret_writes_total', help: 'Secret writes (new versions), by outcome' },
  'certificate.issue': {
    name: 'mazevault_pki_certificates_issued_total',
    help: 'Certificates issued (issue, sign, renew), by outcome',
  },
  'certificate.sign': {
    name: 'mazevault_pki_certificates_issued_total',
    help: 'Certificates issued (issue, sign, renew), by outcome',
  },
  'certificate.renew': {
    name: 'mazevault_pki_certificates_issued_total',
    help: 'Certificates issued (issue, sign, renew), by outcome',
  },
  'certificate.revoke': {
    name: 'mazevault_pki_certificates_revoked_total',
    help: 'Certificate revocations, by outcome',
  },
};

/**
 * The Primary's domain counters, by outcome (`success`, `failure`, `denied`), counted where the
 * audit log already names the operation (the handler's @Audited action), once per answered request.
 */
export function registerOperationMetrics(fastify: FastifyInstance, registry: Registry): void {
  const counters = new Map<string, Counter<'outcome'>>();
  for (const [action, { name, help }] of Object.entries(COUNTED_ACTIONS)) {
    const counter =
      (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
      new Counter({ name, help, labelNames: ['outcome'] as const, registers: [registry] });
    counters.set(action, counter);
  }
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const action = (request as unknown as AuditableRequest).auditSpec?.action;
    const counter = action === undefined ? undefined : counters.get(action);
    if (counter) {
      const status = reply.statusCode;
      counter.inc({
        outcome: status === 401 || status === 403 ? 'denied' : status < 400 ? 'success' : 'failure',
      });
    }
    done();
  });
}
