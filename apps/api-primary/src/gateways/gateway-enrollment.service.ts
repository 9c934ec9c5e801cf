import { Inject, Injectable } from '@nestjs/common';
import {
  GATEWAY_BOOTSTRAP_TOKEN_PREFIX,
  type GatewayBootstrapRequest,
  type GatewayBootstrapResponse,
  type GatewayEnvironment,
  type GatewayHeartbeat,
  type GatewayRegisterRequest,
  type GatewayRegisterResponse,
  type GatewayRole,
} from '@mazevault/contracts';
import { sha256Hex } from '@mazevault/crypto';
import { GatewayBootstrapTokenEntity, GatewayEntity, isUniqueViolation } from '@mazevault/persistence';
import { parseCsr } from '@mazevault/pki';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import type { Actor } from '../pki/certificate-authorities.service';
import { pkiCall } from '../pki/pki-errors.util';
import { PlatformCaService } from './platform-ca.service';
import { PlatformE2eeService } from './platform-e2ee.service';

export interface GatewayView {
  id: string;
  name: string;
  environment: string;
  role: string;
  status: string;
  enrolledAt: string | null;
  lastSeenAt: string | null;
  lastHeartbeat: Record<string, unknown> | null;
  certificateNotAfter: string | null;
  createdAt: string;
}

/** Every refused token gets the same answer: no oracle for expired vs used vs unknown. */
const invalidToken = () =>
  new ProblemException(
    401,
    'invalid_bootstrap_token',
    'The bootstrap token is invalid, expired or already used',
  );

/**
 * Gateway enrollment and bookkeeping: bootstrap packages (a pending gateway and a one-time token),
 * registration (token spent by compare-and-set in the same transaction that records the issued
 * certificate), heartbeats, listing and disabling.
 */
@Injectable()
export class GatewayEnrollmentService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly platformCa: PlatformCaService,
    private readonly platformE2ee: PlatformE2eeService,
    private readonly audit: AuditService,
  ) {}

  async bootstrap(actor: Actor, request: GatewayBootstrapRequest): Promise<GatewayBootstrapResponse> {
    const ca = await this.platformCa.get();
    const gatewayId = randomUUID();
    // The token carries the platform CA's fingerprint after a dot, so the one value an operator hands
    // the gateway (GATEWAY_BOOTSTRAP_TOKEN) is also what it pins the Primary's listener to.
    const token = `${GATEWAY_BOOTSTRAP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}.${ca.fingerprint}`;
    const expiresAt = new Date(
      this.clock.now().getTime() + this.config.GATEWAY_BOOTSTRAP_TOKEN_TTL_SECONDS * 1000,
    );
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(GatewayEntity, {
          id: gatewayId,
          organizationId: actor.organizationId,
          name: request.name,
          environment: request.environment,
          role: request.role,
          status: 'pending',
          certificateSerial: null,
        });
        await manager.insert(GatewayBootstrapTokenEntity, {
          id: randomUUID(),
          gatewayId,
          tokenHash: sha256Hex(token),
          expiresAt,
          createdBy: actor.type === 'user' ? actor.id : null,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'gateway_name_taken', 'A gateway with this name already exists');
      throw error;
    }
    return {
      gatewayId,
      name: request.name,
      environment: request.environment,
      role: request.role,
      token,
      expiresAt: expiresAt.toISOString(),
      platformCaCertificatePem: ca.caPem,
      platformCaFingerprint: ca.fingerprint,
    };
  }

  /**
   * Enrollment. The CSR is checked before the token is touched (a malformed request never burns it);
   * then, in one transaction: spend the token (UPDATE … WHERE used_at IS NULL — of two parallel
   * callers the second waits on the row lock and then matches nothing), check the CSR against the
   * gateway, issue, record the serial. Any failure rolls the spending back.
   */
  async register(
    request: GatewayRegisterRequest,
    requestId: string | null,
  ): Promise<GatewayRegisterResponse> {
    const csr = await pkiCall(() => parseCsr(request.csr));
    const { dns, ip, uri, email } = csr.altNames;
    if (dns.length + ip.length + uri.length + email.length > 0) {
      throw new ProblemException(
        400,
        'csr_names_not_allowed',
        "The CSR must not carry subject alternative names: the gateway's name is assigned by the Primary",
      );
    }
    if (csr.commonNames.length > 1)
      throw new ProblemException(400, 'csr_names_not_allowed', 'The CSR has more than one common name');
    const { signing, encryption } = request.e2ee;
    if (signing.x === encryption.x && signing.y === encryption.y)
      throw new ProblemException(
        400,
        'e2ee_keys_not_separate',
        'The E2EE signing and encryption keys must be two different keys',
      );
    const primaryE2ee = await this.platformE2ee.publicKeys();
    const now = this.clock.now();
    try {
      return await this.dataSource.transaction(async (manager) => {
        // For UPDATE … RETURNING the pg driver answers [rows, affectedCount].
        const [spent] = (await manager.query(
          `UPDATE "gateway_bootstrap_tokens" SET "used_at" = $1
            WHERE "token_hash" = $2 AND "used_at" IS NULL AND "revoked_at" IS NULL AND "expires_at" > $1
            RETURNING "gateway_id"`,
          [now, sha256Hex(request.token)],
        )) as [{ gateway_id: string }[], number];
        const gatewayId = spent[0]?.gateway_id;
        if (!gatewayId) throw invalidToken();
        const gateway = await manager.findOne(GatewayEntity, {
          where: { id: gatewayId },
          lock: { mode: 'pessimistic_write' },
        });
        if (!gateway || gateway.status === 'disabled') throw invalidToken();
        if (csr.commonNames.length === 1 && csr.commonNames[0] !== gateway.name) {
          throw new ProblemException(
            400,
            'csr_name_mismatch',
            "The CSR's common name is not this gateway's name",
          );
        }
        const issued = await this.platformCa.issueGatewayCertificate(gateway.id, request.csr);
        await manager.update(
          GatewayEntity,
          { id: gateway.id },
          {
            status: 'active',
            certificateSerial: issued.certificate.serialNumber,
            certificateNotAfter: issued.certificate.notAfter,
            enrolledAt: now,
            e2eeSigningJwk: { ...signing },
            e2eeEncryptionJwk: { ...encryption },
          },
        );
        await this.audit.record(
          {
            organizationId: gateway.organizationId,
            actorType: 'gateway',
            actorId: gateway.id,
            action: 'gateway.register',
            resourceType: 'gateway',
            resourceRef: gateway.id,
            outcome: 'success',
            requestId,
            details: {
              serial: issued.certificate.serialNumber,
              environment: gateway.environment,
              role: gateway.role,
            },
          },
          manager,
        );
        return {
          gatewayId: gateway.id,
          environment: gateway.environment as GatewayEnvironment,
          role: gateway.role as GatewayRole,
          certificatePem: issued.certificate.pem,
          chainPem: issued.chainPem,
          notAfter: issued.certificate.notAfter.toISOString(),
          heartbeatIntervalSeconds: this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS,
          primaryE2ee,
        };
      });
    } catch (error) {
      const code = error instanceof ProblemException ? error.code : 'internal_error';
      await this.audit.record({
        actorType: 'gateway',
        action: 'gateway.register',
        resourceType: 'gateway',
        outcome: error instanceof ProblemException && error.getStatus() === 401 ? 'denied' : 'failure',
        requestId,
        details: { code },
      });
      throw error;
    }
  }

  /**
   * The gateway a verified client certificate belongs to, checked on every request: active, and this
   * very certificate (serial) is the one on record — a replaced or disabled one is refused at once.
   */
  async authenticate(gatewayId: string, serialNumber: string): Promise<GatewayEntity | null> {
    const gateway = await this.dataSource.getRepository(GatewayEntity).findOneBy({ id: gatewayId });
    if (!gateway || gateway.status !== 'active' || gateway.certificateSerial !== serialNumber) return null;
    return gateway;
  }

  async heartbeat(gateway: GatewayEntity, heartbeat: GatewayHeartbeat): Promise<{ serverTime: string }> {
    const now = this.clock.now();
    const result = await this.dataSource
      .getRepository(GatewayEntity)
      .update({ id: gateway.id, status: 'active' }, { lastSeenAt: now, lastHeartbeat: { ...heartbeat } });
    if (!result.affected) throw new ProblemException(401, 'gateway_not_active', 'This gateway is not active');
    return { serverTime: now.toISOString() };
  }

  async list(organizationId: string): Promise<{ gateways: GatewayView[] }> {
    const rows = await this.dataSource
      .getRepository(GatewayEntity)
      .find({ where: { organizationId }, order: { name: 'ASC' } });
    return { gateways: rows.map(view) };
  }

  /** Cuts the gateway off on its next request (the listener checks status per request) and voids its unused tokens. */
  async disable(organizationId: string, gatewayId: string): Promise<GatewayView> {
    return this.dataSource.transaction(async (manager) => {
      const gateway = await manager.findOne(GatewayEntity, {
        where: { id: gatewayId, organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!gateway) throw new ProblemException(404, 'gateway_not_found', 'No such gateway');
      gateway.status = 'disabled';
      await manager.update(GatewayEntity, { id: gateway.id }, { status: 'disabled' });
      await manager.update(
        GatewayBootstrapTokenEntity,
        { gatewayId: gateway.id, usedAt: IsNull(), revokedAt: IsNull() },
        { revokedAt: this.clock.now() },
      );
      return view(gateway);
    });
  }
}

function view(row: GatewayEntity): GatewayView {
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    role: row.role,
    status: row.status,
    enrolledAt: row.enrolledAt?.toISOString() ?? null,
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    lastHeartbeat: row.lastHeartbeat,
    certificateNotAfter: row.certificateNotAfter?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
