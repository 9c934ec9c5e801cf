import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type GatewayHeartbeatAck,
  GatewayHeartbeatSchema,
  GatewayRegisterRequestSchema,
  GatewayRenewCertificateRequestSchema,
} from '@mazevault/contracts';
import type { GatewayEntity } from '@mazevault/persistence';
import { describeCertificate } from '@mazevault/pki';
import {
  codeForStatus,
  frameworkProblem,
  parseOrProblem,
  PeriodicJob,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  ProblemException,
} from '@mazevault/platform';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { AuditService } from '../audit/audit.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { GatewayEnrollmentService } from './gateway-enrollment.service';
import { GatewayFailoverService } from './gateway-failover.service';
import { GatewayTaskRoutes } from './gateway-task.routes';
import { gatewayIdOf } from './gateway-identity.util';
import { installSealedTransport } from './gateway-listener-e2ee';
import { type ListenerCertificate, PlatformCaService } from './platform-ca.service';
import { PlatformE2eeService } from './platform-e2ee.service';

/** Gateway messages are small; nothing here needs the admin API's 1 MiB. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** How often the listener asks whether its server certificate is due (renewed at 2/3 of its lifetime). */
const SERVER_CERTIFICATE_CHECK_MS = 60_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The one route that answers without a client certificate (enrollment with a bootstrap token). */
    withoutClientCertificate?: true;
  }
  interface FastifyRequest {
    gateway?: GatewayEntity;
    /** The presented client certificate (what a renewal replaces). */
    gatewayCertificate?: { serialNumber: string; der: Uint8Array };
  }
}

/**
 * The Primary's second listener (GATEWAY_LISTEN_PORT, 8443): HTTPS with client certificates from the
 * platform CA. A separate, small Fastify instance rather than routes in the Nest app, so the two route
 * sets cannot leak into each other — no admin route exists on this port and no gateway route on the
 * admin port, by construction — and so the admin API's bearer-token guards never meet a request
 * authenticated by certificate.
 *
 * The TLS layer asks for a certificate but does not abort the handshake without one: registration is
 * the one route a gateway calls before it has a certificate. Every other route is default-deny in an
 * onRequest hook, on every request (not per connection): the certificate verified against the
 * platform CA, its structured SAN names a gateway, that gateway is active and this is the serial on
 * record. Disabling a gateway or replacing its certificate thus cuts off open connections too.
 * Above that, every message but registration is end-to-end sealed (gateway-listener-e2ee.ts).
 */
@Injectable()
export class GatewayListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GatewayListener');
  private server: FastifyInstance | null = null;
  private serverSerial: string | null = null;
  private readonly serverCertificateJob = new PeriodicJob(
    () => this.refreshServerCertificate(),
    (error) => this.logger.warn(`listener certificate renewal failed: ${(error as Error).message}`),
  );

  constructor(
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    private readonly platformCa: PlatformCaService,
    private readonly platformE2ee: PlatformE2eeService,
    private readonly enrollment: GatewayEnrollmentService,
    private readonly audit: AuditService,
    private readonly failover: GatewayFailoverService,
    private readonly taskRoutes: GatewayTaskRoutes,
  ) {}

  /** The bound port (tests listen on 0), or null when the listener is off. */
  get port(): number | null {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.GATEWAY_LISTEN_PORT === null) return;
    const ca = await this.platformCa.get();
    await this.platformE2ee.get(); // created (or loaded) before the first gateway registers
    const current = (await this.platformCa.listenerCertificate())!;
    this.serverSerial = current.serialNumber;
    const server = Fastify({
      https: { ...secureContextOptions(ca.caPem, current), requestCert: true, rejectUnauthorized: false },
      bodyLimit: BODY_LIMIT_BYTES,
      forceCloseConnections: true,
      logger: false,
      return503OnClosing: true,
    });
    server.setErrorHandler((error, request, reply) => this.sendProblem(error, request, reply));
    server.setNotFoundHandler((request, reply) =>
      this.sendProblem(
        new ProblemException(404, codeForStatus(404), 'No such gateway route'),
        request,
        reply,
      ),
    );
    server.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.withoutClientCertificate) return;
      request.gateway = await this.authenticate(request);
    });
    installSealedTransport(
      server,
      () => this.platformE2ee.get(),
      (request, status, code, detail, gatewayId) => this.deny(request, code, detail, gatewayId, status),
    );
    this.routes(server);
    await server.listen({ port: this.config.GATEWAY_LISTEN_PORT, host: this.config.GATEWAY_LISTEN_HOST });
    this.server = server;
    this.serverCertificateJob.start(SERVER_CERTIFICATE_CHECK_MS);
    this.logger.log(`gateway listener (mTLS) on https://${this.config.GATEWAY_LISTEN_HOST}:${this.port}`);
  }

  /**
   * Swaps in the current server certificate (renewed here or by another replica) without a restart:
   * new handshakes get it, open connections keep theirs. The gateways pin the platform CA, not the leaf.
   */
  async refreshServerCertificate(): Promise<void> {
    if (!this.server) return;
    const ca = await this.platformCa.get();
    const current = await this.platformCa.listenerCertificate(this.serverSerial ?? undefined);
    if (!current || current.serialNumber === this.serverSerial) return;
    (this.server.server as unknown as TlsServer).setSecureContext(secureContextOptions(ca.caPem, current));
    this.serverSerial = current.serialNumber;
    this.logger.log(`gateway listener certificate renewed; it expires at ${current.notAfter.toISOString()}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.serverCertificateJob.stop();
    await this.server?.close();
    this.server = null;
  }

  private routes(server: FastifyInstance): void {
    server.post(
      '/api/v1/gateways/register',
      { config: { withoutClientCertificate: true } },
      async (request, reply) => {
        const body = parseOrProblem(GatewayRegisterRequestSchema, request.body);
        reply.code(201);
        return this.enrollment.register(body, request.id);
      },
    );
    server.post('/api/v1/gateway/heartbeat', async (request): Promise<GatewayHeartbeatAck> => {
      const body = parseOrProblem(GatewayHeartbeatSchema, request.body);
      const { serverTime } = await this.enrollment.heartbeat(request.gateway!, body);
      return { serverTime, ...(await this.failover.standing(request.gateway!)) };
    });
    server.post('/api/v1/gateway/certificate/renew', async (request) => {
      const body = parseOrProblem(GatewayRenewCertificateRequestSchema, request.body);
      return this.enrollment.renew(request.gateway!, request.gatewayCertificate!, body, request.id);
    });
    this.taskRoutes.register(server);
  }

  private async authenticate(request: FastifyRequest): Promise<GatewayEntity> {
    const socket = request.raw.socket as TLSSocket;
    const peer = socket.getPeerCertificate?.();
    if (!peer || !peer.raw)
      throw await this.deny(
        request,
        'client_certificate_required',
        'A client certificate from the platform CA is required',
      );
    if (!socket.authorized)
      throw await this.deny(
        request,
        'client_certificate_invalid',
        'The client certificate is not from the platform CA or not valid now',
      );
    const gatewayId = gatewayIdOf(peer.raw);
    if (!gatewayId)
      throw await this.deny(
        request,
        'client_certificate_invalid',
        'The client certificate does not name a gateway',
      );
    const presented = describeCertificate(peer.raw);
    const outcome = await this.enrollment.authenticate(gatewayId, presented);
    if ('code' in outcome) throw await this.deny(request, outcome.code, outcome.detail, gatewayId);
    request.gatewayCertificate = { serialNumber: presented.serialNumber, der: peer.raw };
    return outcome.gateway;
  }

  private async deny(
    request: FastifyRequest,
    code: string,
    detail: string,
    gatewayId?: string,
    status = 401,
  ): Promise<ProblemException> {
    await this.audit.record({
      actorType: 'gateway',
      actorId: gatewayId ?? null,
      action: 'access.deny',
      resourceType: 'gateway_listener',
      resourceRef: request.routeOptions.url ?? null,
      outcome: 'denied',
      requestId: request.id,
      details: { code },
    });
    return new ProblemException(status, code, detail);
  }

  private sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    let status = 500;
    let code = 'internal_error';
    let detail = 'Internal error';
    let errors: unknown;
    if (error instanceof ProblemException) {
      status = error.getStatus();
      ({ code, detail } = error);
      errors = error.extra.errors;
    } else {
      const framework = frameworkProblem(error);
      if (framework) ({ status, code, detail } = framework);
      else this.logger.error(`gateway listener: ${(error as Error).message}`);
    }
    return reply
      .code(status)
      .type(PROBLEM_CONTENT_TYPE)
      .send({ ...problemBody(status, code, detail, request.url), ...(errors ? { errors } : {}) });
  }
}

function secureContextOptions(caPem: string, server: ListenerCertificate) {
  return {
    key: server.privateKeyPem,
    // The CA goes along so a gateway can find the certificate its token's fingerprint pins.
    cert: server.certificatePem + caPem,
    ca: [caPem],
    minVersion: 'TLSv1.2' as const,
  };
}
