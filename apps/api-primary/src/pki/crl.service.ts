import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CertificateAuthorityEntity, CertificateEntity, CrlEntity } from '@mazevault/persistence';
import { buildCrl, pemEncode, CRL_PEM_LABEL, revocationReasonName, type RevokedEntry } from '@mazevault/pki';
import { CLOCK, type Clock, PeriodicJob, ProblemException } from '@mazevault/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, CertificateAuthoritiesService, isUuid } from './certificate-authorities.service';
import { PKI_CONFIG, type PkiConfig } from './pki.config';

const SYSTEM_ACTOR = { type: 'system', id: null } as const;

/**
 * Full and delta CRLs per CA. Full and delta share one CRL-number sequence per CA (RFC 5280 5.2.4).
 * A revocation regenerates the full CRL and a delta over the current base; the scheduler renews every
 * CRL past half its lifetime and moves the delta base forward.
 */
@Injectable()
export class CrlService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CrlService.name);
  private readonly refresh = new PeriodicJob(
    () => this.doRefresh(),
    () => undefined, // doRefresh logs its own failures
  );

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PKI_CONFIG) private readonly config: PkiConfig,
    private readonly cas: CertificateAuthoritiesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.refresh.start(this.config.PKI_CRL_CHECK_INTERVAL_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.refresh.stop();
  }

  /** Scheduler tick: a new full CRL (and a fresh, empty delta) for every CA whose CRL is past half-life. */
  refreshDue(): Promise<void> {
    return this.refresh.run();
  }

  private async doRefresh(): Promise<void> {
    try {
      const halfLife = Math.floor(this.config.PKI_CRL_VALIDITY_SECONDS / 2);
      const due: { id: string; organization_id: string }[] = await this.dataSource.query(
        `SELECT ca.id, ca.organization_id FROM certificate_authorities ca
          WHERE ca.status = 'active' AND NOT EXISTS (
            SELECT 1 FROM crls c WHERE c.ca_id = ca.id AND c.delta = false AND c.this_update > now() - make_interval(secs => $1))`,
        [halfLife],
      );
      for (const row of due)
        await this.publish({ organizationId: row.organization_id, ...SYSTEM_ACTOR }, row.id, {
          moveBase: true,
        });
    } catch (error) {
      this.logger.error(`CRL refresh failed: ${(error as Error).message}`);
    }
  }

  /**
   * Sign and store a full CRL and a delta CRL. `moveBase`: the new full CRL becomes the delta base
   * (scheduled runs); otherwise the delta keeps the previous base (revocations, so delta users see them).
   */
  async publish(actor: Actor, caId: string, options: { moveBase: boolean }): Promise<void> {
    const ca = await this.cas.authority(null, caId);
    await this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(CertificateAuthorityEntity)
        .findOne({ where: { id: caId }, lock: { mode: 'pessimistic_write' } });
      if (!row) return;
      const fullNumber = BigInt(row.crlNumber) + 1n;
      const revoked = await this.revokedSince(manager, caId, null);
      const full = await buildCrl({
        ca,
        clock: this.clock,
        crlNumber: fullNumber,
        nextUpdateSeconds: this.config.PKI_CRL_VALIDITY_SECONDS,
        entries: revoked,
        freshestCrlUrls: [this.cas.deltaCrlUrlFor(caId)],
      });
      await manager.insert(CrlEntity, {
        caId,
        number: fullNumber.toString(),
        delta: false,
        der: Buffer.from(full.der),
        thisUpdate: full.thisUpdate,
        nextUpdate: full.nextUpdate,
      });
      let base = BigInt(row.baseCrlNumber);
      let baseRow =
        base > 0n
          ? await manager.getRepository(CrlEntity).findOneBy({ caId, number: base.toString() })
          : null;
      if (options.moveBase || !baseRow) {
        base = fullNumber;
        baseRow = null;
      }
      const deltaNumber = fullNumber + 1n;
      const deltaEntries = baseRow ? await this.revokedSince(manager, caId, baseRow.thisUpdate) : [];
      const delta = await buildCrl({
        ca,
        clock: this.clock,
        crlNumber: deltaNumber,
        baseCrlNumber: base,
        nextUpdateSeconds: this.config.PKI_CRL_VALIDITY_SECONDS,
        entries: deltaEntries,
      });
      await manager.insert(CrlEntity, {
        caId,
        number: deltaNumber.toString(),
        delta: true,
        der: Buffer.from(delta.der),
        thisUpdate: delta.thisUpdate,
        nextUpdate: delta.nextUpdate,
      });
      await manager.update(
        CertificateAuthorityEntity,
        { id: caId },
        { crlNumber: deltaNumber.toString(), baseCrlNumber: base.toString() },
      );
      await this.cas.auditKeyUse(actor, caId, 'crl', `${fullNumber}/${deltaNumber}`, manager);
    });
  }

  /** Revoked, unexpired certificates of a CA (expired ones may leave the CRL, RFC 5280 3.3). */
  private async revokedSince(
    manager: EntityManager,
    caId: string,
    since: Date | null,
  ): Promise<RevokedEntry[]> {
    const query = manager
      .getRepository(CertificateEntity)
      .createQueryBuilder('c')
      .select(['c.serial', 'c.revokedAt', 'c.revocationReason'])
      .where('c.ca_id = :caId AND c.status = :status AND c.not_after > now()', { caId, status: 'revoked' });
    // Second granularity: CRL times are truncated to seconds, so look one second back.
    if (since) query.andWhere('c.revoked_at >= :since', { since: new Date(since.getTime() - 1000) });
    const rows = await query.orderBy('c.revoked_at').getMany();
    return rows.map((r) => {
      const reason = r.revocationReason === null ? undefined : revocationReasonName(r.revocationReason);
      return { serialNumber: r.serial, revokedAt: r.revokedAt!, ...(reason && { reason }) };
    });
  }

  /** The latest full or delta CRL of a CA, DER. */
  async latest(
    caId: string,
    delta: boolean,
  ): Promise<{ der: Buffer; pem: string; thisUpdate: Date; nextUpdate: Date; number: string }> {
    const row = isUuid(caId)
      ? await this.dataSource
          .getRepository(CrlEntity)
          .findOne({ where: { caId, delta }, order: { number: 'DESC' } })
      : null;
    if (!row) throw new ProblemException(404, 'crl_not_found', 'No CRL published for this CA');
    return {
      der: row.der,
      pem: pemEncode(CRL_PEM_LABEL, row.der),
      thisUpdate: row.thisUpdate,
      nextUpdate: row.nextUpdate,
      number: row.number,
    };
  }
}
