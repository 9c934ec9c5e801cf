import { Inject, Injectable, Logger } from '@nestjs/common';
import { ocspInvalidationChannel, type RevokeCaRequest } from '@mazevault/contracts';
import { CertificateAuthorityEntity, CertificateEntity } from '@mazevault/persistence';
import { describeCertificate, REVOCATION_REASONS, truncateToSeconds } from '@mazevault/pki';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { REDIS } from '../redis/redis.module';
import { type Actor, type CaView, CertificateAuthoritiesService } from './certificate-authorities.service';
import { caCertificateRow } from './certificate-rows';
import { CrlService } from './crl.service';

export interface CaRevocationView {
  ca: CaView;
  /** The CA's own certificate as its parent now reports it (CRL, OCSP). */
  certificate: { issuerCaId: string; serial: string; revokedAt: string; revocationReason: string };
  /**
   * What the revoked CA issued that is still unexpired and not revoked itself: no longer trusted
   * through this CA, but not revoked one by one either (that is the operator's call, made per certificate).
   */
  issued: { stillValid: number; subordinateCaIds: string[]; list: string };
}

/**
 * Revocation of a sub-CA by its parent: the CA's inventory row is revoked and the CA itself marked
 * `revoked` in one transaction (with an audit event carrying the impact), then the parent publishes a
 * new CRL and the OCSP responders drop their cached answer for that serial.
 */
@Injectable()
export class CaRevocationService {
  private readonly logger = new Logger(CaRevocationService.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly cas: CertificateAuthoritiesService,
    private readonly crls: CrlService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async revoke(actor: Actor, caId: string, request: RevokeCaRequest): Promise<CaRevocationView> {
    const reasonCode = REVOCATION_REASONS[request.reason];
    const revokedAt = truncateToSeconds(this.clock.now());
    const outcome = await this.dataSource.transaction(async (manager) => {
      await this.cas.find(actor.organizationId, caId, manager);
      // Locked for update: issuance under this CA (whose row insert share-locks it) waits, then is refused.
      const ca = await manager
        .getRepository(CertificateAuthorityEntity)
        .findOneOrFail({ where: { id: caId }, lock: { mode: 'pessimistic_write' } });
      if (ca.status === 'revoked')
        throw new ProblemException(409, 'already_revoked', 'The CA is already revoked');
      if (ca.kind === 'root')
        throw new ProblemException(
          409,
          'ca_is_root',
          'A root CA has no issuer to revoke it: remove it from trust stores instead',
        );
      if (!ca.parentId || !ca.certificateDer) {
        throw new ProblemException(
          409,
          'ca_issuer_external',
          'This CA was not signed by a CA of the platform: its issuer must revoke it',
        );
      }
      const certificate = describeCertificate(new Uint8Array(ca.certificateDer));
      const serial = certificate.serialNumber;
      const revoked = { status: 'revoked' as const, revokedAt, revocationReason: reasonCode };
      const updated = await manager.update(
        CertificateEntity,
        { caId: ca.parentId, serial, status: 'good' },
        revoked,
      );
      // A row missing despite the backfill is written revoked (one already revoked keeps its first revocation).
      if (!updated.affected) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(CertificateEntity)
          .values({ ...caCertificateRow(ca.organizationId, ca.parentId, ca.id, certificate), ...revoked })
          .orIgnore()
          .execute();
      }
      await manager.update(CertificateAuthorityEntity, { id: ca.id }, { status: 'revoked' });
      const [{ count }]: { count: string }[] = await manager.query(
        `SELECT count(*) AS count FROM certificates WHERE ca_id = $1 AND status = 'good' AND not_after > now()`,
        [ca.id],
      );
      const subordinates: { id: string }[] = await manager.query(
        `SELECT id FROM certificate_authorities WHERE parent_id = $1 AND status = 'active' ORDER BY created_at`,
        [ca.id],
      );
      const issued = {
        stillValid: Number(count),
        subordinateCaIds: subordinates.map((s) => s.id),
        list: `/api/v1/pki/certificates?ca=${ca.id}&status=good&expiresAfter=${encodeURIComponent(revokedAt.toISOString())}`,
      };
      await this.audit.record(
        {
          organizationId: actor.organizationId,
          actorType: actor.type,
          actorId: actor.id,
          action: 'ca.revoke.impact',
          resourceType: 'certificate_authority',
          resourceRef: ca.id,
          outcome: 'success',
          requestId: actor.requestId ?? null,
          details: {
            issuerCaId: ca.parentId,
            serial,
            reason: request.reason,
            stillValidIssued: issued.stillValid,
            subordinateCaIds: issued.subordinateCaIds,
          },
        },
        manager,
      );
      return { ca: { ...ca, status: 'revoked' as const }, parentId: ca.parentId, serial, issued };
    });
    this.cas.forget(caId);
    try {
      await this.redis.publish(
        ocspInvalidationChannel(this.redis.options.keyPrefix),
        `${outcome.parentId}:${outcome.serial}`,
      );
    } catch (error) {
      this.logger.warn(
        `OCSP invalidation not published (responders will pick it up on refresh): ${(error as Error).message}`,
      );
    }
    // The parent's next CRL lists the sub-CA (a revoked parent publishes no more CRLs: its own revocation covers it).
    const parent = await this.cas.find(actor.organizationId, outcome.parentId);
    if (parent.status === 'active') await this.crls.publish(actor, outcome.parentId, { moveBase: false });
    return {
      ca: this.cas.view(outcome.ca),
      certificate: {
        issuerCaId: outcome.parentId,
        serial: outcome.serial,
        revokedAt: revokedAt.toISOString(),
        revocationReason: request.reason,
      },
      issued: outcome.issued,
    };
  }
}
