import { Inject, Injectable } from '@nestjs/common';
import { type MasterKeyRing, openPrivateKey, sealPrivateKey } from '@mazevault/crypto';
import { PlatformCaEntity } from '@mazevault/persistence';
import {
  BACKDATE_SECONDS,
  CA_KEY_KIND,
  type CertificateAuthority,
  createRootCa,
  defineProfile,
  describeCertificate,
  issueFromCsr,
  issueWithGeneratedKey,
  loadCertificateAuthority,
  renewalDueAt,
  sealSignerKey,
  unsealSigner,
} from '@mazevault/pki';
import { CLOCK, type Clock } from '@mazevault/platform';
import { createHash, createPrivateKey, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { MASTER_KEY_RING } from '../secrets/secrets.tokens';
import { pkiCall } from '../pki/pki-errors.util';
import { gatewayUrn } from './gateway-identity.util';

const PURPOSE = 'gateway-mtls';
/** AAD kind of the listener's sealed server key (the CA key is sealed as kind `ca`, bound to ca_id). */
export const LISTENER_KEY_KIND = 'gateway-listener';
const CA_TTL_SECONDS = 10 * 365 * 86_400;

/** The listener's server certificate and key (short-lived: renewed at 2/3 of its lifetime). */
export interface ListenerCertificate {
  certificatePem: string;
  privateKeyPem: string;
  serialNumber: string;
  notAfter: Date;
}

export interface PlatformCa {
  authority: CertificateAuthority;
  caPem: string;
  /** SHA-256 of the CA certificate's DER, hex: what a gateway pins. */
  fingerprint: string;
  /** The server certificate as loaded at first use; `listenerCertificate()` has the current one. */
  server: ListenerCertificate;
}

/**
 * The platform CA: the Primary's own issuer for the gateway listener and gateway client certificates,
 * apart from every customer CA (it is not in `certificate_authorities`, so no customer API can reach
 * it). Created on first start: each replica may generate one, the row's primary key lets exactly one
 * INSERT win, and every replica then loads the winner.
 */
@Injectable()
export class PlatformCaService {
  private loaded: Promise<PlatformCa> | null = null;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MASTER_KEY_RING) private readonly masters: MasterKeyRing,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get(): Promise<PlatformCa> {
    this.loaded ??= this.ensure().catch((error: unknown) => {
      this.loaded = null; // a failed start (database away) is retried by the next caller
      throw error;
    });
    return this.loaded;
  }

  /** A gateway's client certificate: only the CSR's key is used; its one name is the gateway's URN. */
  async issueGatewayCertificate(gatewayId: string, csrPem: string) {
    const { authority } = await this.get();
    const profile = defineProfile({
      name: 'platform-gateway-client',
      // The profile bounds the validity period (notBefore→notAfter, both seconds inclusive), which
      // includes the 60 s backdating: the certificate stays valid GATEWAY_CERT_TTL_SECONDS after issuance.
      maxTtlSeconds: this.config.GATEWAY_CERT_TTL_SECONDS + BACKDATE_SECONDS + 1,
      keyUsages: ['digitalSignature'],
      extendedKeyUsages: ['clientAuth'],
      allowedSanTypes: ['uri'],
      allowedUriSchemes: ['urn'],
      subjectTemplate: { fixed: {}, commonName: 'omit' },
    });
    return pkiCall(() =>
      issueFromCsr({
        ca: authority,
        profile,
        clock: this.clock,
        csr: csrPem,
        ttlSeconds: this.config.GATEWAY_CERT_TTL_SECONDS,
        altNames: { uri: [gatewayUrn(gatewayId)] },
      }),
    );
  }

  private async ensure(): Promise<PlatformCa> {
    const repository = this.dataSource.getRepository(PlatformCaEntity);
    let row = await repository.findOneBy({ purpose: PURPOSE });
    if (!row) {
      await repository
        .createQueryBuilder()
        .insert()
        .values(await this.create())
        .orIgnore()
        .execute();
      row = await repository.findOneByOrFail({ purpose: PURPOSE });
    }
    return this.open(row);
  }

  private async create(): Promise<Partial<PlatformCaEntity>> {
    const caId = randomUUID();
    const root = await createRootCa({
      keyType: 'ecdsa-p256',
      subject: { commonName: 'MazeVault Platform CA', organization: 'MazeVault' },
      ttlSeconds: CA_TTL_SECONDS,
      clock: this.clock,
    });
    const server = await this.issueServer(root.ca);
    const caKey = await sealSignerKey(new Uint8Array(root.privateKeyPkcs8!), CA_KEY_KIND, caId, this.masters);
    return {
      purpose: PURPOSE,
      caId,
      certificatePem: root.certificate.pem,
      sealedPrivateKey: caKey.sealed,
      ...(await this.sealServer(server, caId)),
    };
  }

  /**
   * The listener's current server certificate, renewed first when 2/3 of its lifetime (by the
   * injected clock) have passed. Every replica asks on a timer; the renewal is a compare-and-set on
   * the stored certificate, so one replica renews and the others pick the winner up from the row.
   * With `unlessSerial`: null when that is still the current one (its key is not unsealed again).
   */
  async listenerCertificate(unlessSerial?: string): Promise<ListenerCertificate | null> {
    const { authority } = await this.get();
    const repository = this.dataSource.getRepository(PlatformCaEntity);
    let row = await repository.findOneByOrFail({ purpose: PURPOSE });
    const current = describeCertificate(row.serverCertificatePem);
    const due = this.clock.now().getTime() >= renewalDueAt(current).getTime();
    if (!due && current.serialNumber === unlessSerial) return null;
    if (due) {
      const server = await this.issueServer(authority);
      await repository
        .createQueryBuilder()
        .update()
        .set(await this.sealServer(server, row.caId))
        .where('"purpose" = :purpose AND "server_certificate_pem" = :old', {
          purpose: PURPOSE,
          old: row.serverCertificatePem,
        })
        .execute();
      row = await repository.findOneByOrFail({ purpose: PURPOSE });
    }
    return this.openServer(row);
  }

  private issueServer(ca: CertificateAuthority) {
    const names = this.config.GATEWAY_SERVER_NAMES;
    const ips = names.filter((n) => isIP(n));
    const dns = names.filter((n) => !isIP(n));
    return issueWithGeneratedKey({
      ca,
      clock: this.clock,
      profile: defineProfile({
        name: 'platform-gateway-listener',
        maxTtlSeconds: this.config.GATEWAY_SERVER_CERT_TTL_SECONDS,
        allowedSanTypes: ['dns', 'ip'],
        allowedDomains: dns,
        allowedIpRanges: ips.map((ip) => (isIP(ip) === 6 ? `${ip}/128` : `${ip}/32`)),
        ...(dns.length === 0 && { subjectTemplate: { fixed: {}, commonName: 'omit' as const } }),
      }),
      keyType: 'ecdsa-p256',
      ...(dns[0] !== undefined && { commonName: dns[0] }),
      altNames: { dns, ip: ips },
    });
  }

  private async sealServer(
    server: Awaited<ReturnType<PlatformCaService['issueServer']>>,
    caId: string,
  ): Promise<Pick<PlatformCaEntity, 'serverCertificatePem' | 'serverSealedPrivateKey' | 'serverNotAfter'>> {
    const pkcs8 = new Uint8Array(server.privateKeyPkcs8!);
    try {
      const sealed = await sealPrivateKey(pkcs8, { kind: LISTENER_KEY_KIND, ownerId: caId }, this.masters);
      return {
        serverCertificatePem: server.certificate.pem,
        serverSealedPrivateKey: sealed.sealed,
        serverNotAfter: server.certificate.notAfter,
      };
    } finally {
      pkcs8.fill(0);
    }
  }

  private async openServer(row: PlatformCaEntity): Promise<ListenerCertificate> {
    const pkcs8 = await openPrivateKey(
      row.serverSealedPrivateKey,
      { kind: LISTENER_KEY_KIND, ownerId: row.caId },
      this.masters,
    );
    try {
      const described = describeCertificate(row.serverCertificatePem);
      return {
        certificatePem: row.serverCertificatePem,
        privateKeyPem: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
          .export({ format: 'pem', type: 'pkcs8' })
          .toString(),
        serialNumber: described.serialNumber,
        notAfter: described.notAfter,
      };
    } finally {
      pkcs8.fill(0);
    }
  }

  private async open(row: PlatformCaEntity): Promise<PlatformCa> {
    const signer = await unsealSigner(row.sealedPrivateKey, CA_KEY_KIND, row.caId, this.masters);
    const authority = await loadCertificateAuthority({ certificate: row.certificatePem, signer });
    return {
      authority,
      caPem: row.certificatePem,
      fingerprint: createHash('sha256').update(describeCertificate(row.certificatePem).der).digest('hex'),
      server: await this.openServer(row),
    };
  }
}
