import { Inject, Injectable } from '@nestjs/common';
import {
  GATEWAY_BOOTSTRAP_TOKEN_PREFIX,
  type GatewayBootstrapRequest,
  type GatewayBootstrapResponse,
  type GatewayEnvironment,
  type GatewayHeartbeat,
  type GatewayRegisterRequest,
  type GatewayRegisterResponse,
  type GatewayRenewCertificateRequest,
  type GatewayRenewCertificateResponse,
  type GatewayRole,
} from '@mazevault/contracts';
import { sha256Hex } from '@mazevault/crypto';
import { GatewayBootstrapTokenEntity, GatewayEntity, isUniqueViolation } from '@mazevault/persistence';
import { parseCsr } from '@mazevault/pki';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
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
    const gatewayId = randomUUID();
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.insert(GatewayEntity, {
          id: gatewayId,
          organizationId: actor.organizationId,
          name: request.name,
          environment: request.environment,
          role: request.role,
          status: 'pending',
          certificateSerial: null,
        });
        return this.issueToken(manager, actor, {
          id: gatewayId,
          name: request.name,
          environment: request.environment,
          role: request.role,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'gateway_name_taken', 'A gateway with this name already exists');
      throw error;
    }
  }

  /**
   * A new one-time token for an existing gateway (re-enrollment after its certificate expired or was
   * revoked, or a lost token): registering with it replaces the certificate and keeps the gateway's id,
   * environment and role. Earlier unused tokens of the gateway are revoked: one live token at a time.
   */
  async reissueBootstrap(actor: Actor, gatewayId: string): Promise<GatewayBootstrapResponse> {
    return this.dataSource.transaction(async (manager) => {
      const gateway = await manager.findOne(GatewayEntity, {
        where: { id: gatewayId, organizationId: actor.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!gateway) throw new ProblemException(404, 'gateway_not_found', 'No such gateway');
      if (gateway.status === 'disabled')
        throw new ProblemException(409, 'gateway_disabled', 'A disabled gateway cannot enroll again');
      await manager.update(
        GatewayBootstrapTokenEntity,
        { gatewayId: gateway.id, usedAt: IsNull(), revokedAt: IsNull() },
        { revokedAt: this.clock.now() },
      );
      return this.issueToken(manager, actor, {
        id: gateway.id,
        name: gateway.name,
        environment: gateway.environment as GatewayEnvironment,
        role: gateway.role as GatewayRole,
      });
    });
  }

  private async issueToken(
    manager: EntityManager,
    actor: Actor,
    gateway: { id: string; name: string; environment: GatewayEnvironment; role: GatewayRole },
  ): Promise<GatewayBootstrapResponse> {
    const ca = await this.platformCa.get();
    // The token carries the platform CA's fingerprint after a dot, so the one value an operator hands
    // the gateway (GATEWAY_BOOTSTRAP_TOKEN) is also what it pins the Primary's listener to.
    const token = `${GATEWAY_BOOTSTRAP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}.${ca.fingerprint}`;
    const expiresAt = new Date(
      this.clock.now().getTime() + this.config.GATEWAY_BOOTSTRAP_TOKEN_TTL_SECONDS * 1000,
    );
    await manager.insert(GatewayBootstrapTokenEntity, {
      id: randomUUID(),
      gatewayId: gateway.id,
      tokenHash: sha256Hex(token),
      expiresAt,
      createdBy: actor.type === 'user' ? actor.id : null,
    });
    return {
      gatewayId: gateway.id,
      name: gateway.name,
      environment: gateway.environment,
      role: gateway.role,
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
    const csr = await checkedCsr(request.csr);
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
        checkCsrName(csr, gateway.name);
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
   * The gateway a verified client certificate belongs to, checked on every request: active, this very
   * certificate (serial) is the one on record — a replaced (renewed) or revoked one is refused at once —
   * and it is valid by the Primary's clock (TLS checked it against the system time only).
   */
  async authenticate(
    gatewayId: string,
    certificate: { serialNumber: string; notBefore: Date; notAfter: Date },
  ): Promise<{ gateway: GatewayEntity } | { code: string; detail: string }> {
    const gateway = await this.dataSource.getRepository(GatewayEntity).findOneBy({ id: gatewayId });
    if (!gateway || gateway.status === 'disabled')
      return { code: 'gateway_not_active', detail: 'This gateway is disabled or unknown' };
    if (gateway.certificateSerial !== certificate.serialNumber)
      return {
        code: 'client_certificate_revoked',
        detail:
          'This certificate was revoked or replaced by a renewal; the gateway must use its current one or re-enroll',
      };
    const now = this.clock.now().getTime();
    if (now >= certificate.notAfter.getTime() || now < certificate.notBefore.getTime())
      return {
        code: 'client_certificate_expired',
        detail:
          'The client certificate is expired (or not yet valid); the gateway must re-enroll with a new bootstrap token',
      };
    return { gateway };
  }

  /**
   * Renewal over mTLS: a certificate for the CSR's (new) key, same gateway URN. The serial on record
   * switches in the transaction that issues, under a row lock, and only if the presenting certificate
   * is still the one on record (two racing renewals: one wins, the other is refused). No overlap: the
   * old certificate is refused from the commit on; the gateway swaps to the new one as soon as it has
   * the answer (a request in flight with the old one fails once and is retried). If the answer is lost
   * the gateway is locked out and re-enrolls with a token from POST /api/v1/gateways/{id}/bootstrap —
   * the price of never having two valid certificates for one gateway.
   */
  async renew(
    gateway: GatewayEntity,
    presented: { serialNumber: string; der: Uint8Array },
    request: GatewayRenewCertificateRequest,
    requestId: string | null,
  ): Promise<GatewayRenewCertificateResponse> {
    const csr = await checkedCsr(request.csr);
    // A renewal is also a re-key: a key that may have leaked does not live on in the next certificate.
    const presentedKey = new X509Certificate(presented.der).publicKey.export({ type: 'spki', format: 'der' });
    if (Buffer.from(csr.publicKey.der).equals(presentedKey))
      throw new ProblemException(400, 'csr_key_reused', 'A renewal needs a new key, not the current one');
    const presentedSerial = presented.serialNumber;
    return this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(GatewayEntity, {
        where: { id: gateway.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current || current.status !== 'active' || current.certificateSerial !== presentedSerial)
        throw new ProblemException(
          401,
          'client_certificate_revoked',
          'This certificate is no longer the current one',
        );
      checkCsrName(csr, current.name);
      const issued = await this.platformCa.issueGatewayCertificate(current.id, request.csr);
      await manager.update(
        GatewayEntity,
        { id: current.id },
        {
          certificateSerial: issued.certificate.serialNumber,
          certificateNotAfter: issued.certificate.notAfter,
        },
      );
      await this.audit.record(
        {
          organizationId: current.organizationId,
          actorType: 'gateway',
          actorId: current.id,
          action: 'gateway.certificate.renew',
          resourceType: 'gateway',
          resourceRef: current.id,
          outcome: 'success',
          requestId,
          details: { previousSerial: presentedSerial, serial: issued.certificate.serialNumber },
        },
        manager,
      );
      return {
        certificatePem: issued.certificate.pem,
        chainPem: issued.chainPem,
        notAfter: issued.certificate.notAfter.toISOString(),
      };
    });
  }

  /**
   * Revokes the gateway's current certificate on its own: the serial on record is cleared (so it is
   * refused on the next request, also after a restart: the check reads the database) and the gateway
   * goes back to `pending` — kept with its id, environment and role, it enrolls again with a token
   * from POST /api/v1/gateways/{id}/bootstrap. Idempotent.
   */
  async revokeCertificate(
    organizationId: string,
    gatewayId: string,
  ): Promise<GatewayView & { revokedSerial: string | null }> {
    return this.dataSource.transaction(async (manager) => {
      const gateway = await manager.findOne(GatewayEntity, {
        where: { id: gatewayId, organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!gateway) throw new ProblemException(404, 'gateway_not_found', 'No such gateway');
      const revokedSerial = gateway.certificateSerial;
      const status = gateway.status === 'active' ? 'pending' : gateway.status;
      await manager.update(
        GatewayEntity,
        { id: gateway.id },
        { certificateSerial: null, certificateNotAfter: null, status },
      );
      return {
        ...view({ ...gateway, certificateSerial: null, certificateNotAfter: null, status }),
        revokedSerial,
      };
    });
  }

  /** Bootstrap tokens of the organization's gateways: metadata only, never the token or its hash. */
  async listTokens(organizationId: string): Promise<{ tokens: BootstrapTokenView[] }> {
    const rows = (await this.dataSource.query(
      `SELECT t."id", t."gateway_id", g."name", t."created_at", t."expires_at", t."used_at", t."revoked_at", t."created_by"
         FROM "gateway_bootstrap_tokens" t JOIN "gateways" g ON g."id" = t."gateway_id"
        WHERE g."organization_id" = $1 ORDER BY t."created_at" DESC, t."id"`,
      [organizationId],
    )) as TokenRow[];
    return { tokens: rows.map((row) => tokenView(row, this.clock.now())) };
  }

  /** Revokes an unused token (registration with it then answers 401 invalid_bootstrap_token). Idempotent. */
  async revokeToken(organizationId: string, tokenId: string): Promise<BootstrapTokenView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT t."id", t."gateway_id", g."name", t."created_at", t."expires_at", t."used_at", t."revoked_at", t."created_by"
           FROM "gateway_bootstrap_tokens" t JOIN "gateways" g ON g."id" = t."gateway_id"
          WHERE t."id" = $1 AND g."organization_id" = $2 FOR UPDATE OF t`,
        [tokenId, organizationId],
      )) as TokenRow[];
      if (!row) throw new ProblemException(404, 'bootstrap_token_not_found', 'No such bootstrap token');
      if (row.used_at)
        throw new ProblemException(409, 'bootstrap_token_used', 'This token was already used to enroll');
      if (!row.revoked_at) {
        row.revoked_at = this.clock.now();
        await manager.update(GatewayBootstrapTokenEntity, { id: row.id }, { revokedAt: row.revoked_at });
      }
      return tokenView(row, this.clock.now());
    });
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

/** Registration and renewal take the same CSRs: well-formed, no names (the Primary assigns the URN). */
async function checkedCsr(pem: string) {
  const csr = await pkiCall(() => parseCsr(pem));
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
  return csr;
}

/** A CSR may carry a common name only if it is the gateway's own name. */
function checkCsrName(csr: { commonNames: string[] }, gatewayName: string): void {
  if (csr.commonNames.length === 1 && csr.commonNames[0] !== gatewayName) {
    throw new ProblemException(400, 'csr_name_mismatch', "The CSR's common name is not this gateway's name");
  }
}

export interface BootstrapTokenView {
  id: string;
  gatewayId: string;
  gatewayName: string;
  state: 'unused' | 'used' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
}

interface TokenRow {
  id: string;
  gateway_id: string;
  name: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
}

function tokenView(row: TokenRow, now: Date): BootstrapTokenView {
  return {
    id: row.id,
    gatewayId: row.gateway_id,
    gatewayName: row.name,
    state: row.used_at
      ? 'used'
      : row.revoked_at
        ? 'revoked'
        : row.expires_at.getTime() <= now.getTime()
          ? 'expired'
          : 'unused',
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    usedAt: row.used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    createdBy: row.created_by,
  };
}
