import { Inject, Injectable } from '@nestjs/common';
import type {
  CreateIntermediateCaRequest,
  CreateRootCaRequest,
  ImportCaCertificateRequest,
} from '@mazevault/contracts';
import type { MasterKeyRing } from '@mazevault/crypto';
import {
  CertificateAuthorityEntity,
  CertificateEntity,
  ISSUER_NOT_ACTIVE_SQLSTATE,
  isUniqueViolation,
} from '@mazevault/persistence';
import {
  CA_KEY_KIND,
  type CaCreationResult,
  type CertificateAuthority,
  chainToPem,
  createIntermediateCa,
  createIntermediateCsr,
  createRootCa,
  describeCertificate,
  importIntermediateCa,
  type IssuanceUrls,
  issueOcspSigner,
  type KeyType,
  loadCertificateAuthority,
  OCSP_SIGNER_KEY_KIND,
  type OcspResponder,
  pemDecode,
  sealSignerKey,
  unsealSigner,
} from '@mazevault/pki';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { MASTER_KEY_RING } from '../secrets/secrets.tokens';
import { caCertificateRow } from './certificate-rows';
import { PKI_CONFIG, type PkiConfig, publicPaths } from './pki.config';
import { pkiCall } from './pki-errors.util';

export interface CaView {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  keyType: string;
  status: string;
  notAfter: string | null;
  certificatePem: string | null;
  csrPem?: string | null;
  ocspSigner: { notAfter: string } | null;
  urls: ReturnType<typeof publicPaths>;
  createdAt: string;
}

export interface Actor {
  organizationId: string;
  type: string;
  id: string | null;
  requestId?: string | null;
}

/**
 * Issuers: creation (root, intermediate from one of our CAs, or CSR out / certificate in for an
 * external root), storage with sealed keys, and the in-memory CertificateAuthority used to sign —
 * unsealed once per process and kept (a master-key unwrap per issuance would put it on the hot path).
 */
@Injectable()
export class CertificateAuthoritiesService {
  /**
   * Active CAs by id, with their organization (checked on every use). A CA leaves `active` only by
   * revocation, which forgets it here; other replicas may keep it loaded, but the database refuses
   * to store what a revoked CA signs (trigger `certificates_issuer_active`), so nothing is handed out.
   */
  private readonly loaded = new Map<string, { organizationId: string; ca: Promise<CertificateAuthority> }>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MASTER_KEY_RING) private readonly masters: MasterKeyRing,
    @Inject(PKI_CONFIG) private readonly config: PkiConfig,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** AIA (OCSP, CA issuers) and CRL DP for certificates issued by `caId`. */
  urlsFor(caId: string): IssuanceUrls {
    const paths = publicPaths(caId);
    return {
      ...(this.config.OCSP_URL && { ocspUrls: [this.config.OCSP_URL] }),
      caIssuersUrls: [this.publicUrl(paths.certificate)],
      crlDistributionPoints: [this.publicUrl(paths.crl)],
    };
  }

  /** Where the delta CRLs of `caId` are served (the Freshest CRL pointer of its complete CRLs). */
  deltaCrlUrlFor(caId: string): string {
    return this.publicUrl(publicPaths(caId).deltaCrl);
  }

  private publicUrl(path: string): string {
    return this.config.PKI_PUBLIC_BASE_URL.replace(/\/+$/, '') + path;
  }

  async createRoot(actor: Actor, request: CreateRootCaRequest): Promise<CaView> {
    const id = randomUUID();
    const created = await pkiCall(() =>
      createRootCa({
        keyType: request.keyType,
        subject: request.subject,
        ttlSeconds: request.ttlSeconds,
        clock: this.clock,
        ...(request.pathLength !== undefined && { pathLength: request.pathLength }),
        ...(request.nameConstraints && { nameConstraints: request.nameConstraints }),
      }),
    );
    return this.store(actor, id, request, 'root', null, created, []);
  }

  async createIntermediate(actor: Actor, request: CreateIntermediateCaRequest): Promise<CaView> {
    const id = randomUUID();
    const parentId = request.parentId;
    if (!parentId) return this.createPending(actor, id, request);
    const parent = await this.authority(actor.organizationId, parentId);
    assertWithinIssuer(request.ttlSeconds, parent.certificate.notAfter.value, this.clock.now());
    const created = await pkiCall(() =>
      createIntermediateCa(parent, {
        keyType: request.keyType,
        subject: request.subject,
        ttlSeconds: request.ttlSeconds,
        clock: this.clock,
        ...(request.pathLength !== undefined && { pathLength: request.pathLength }),
        ...(request.nameConstraints && { nameConstraints: request.nameConstraints }),
        urls: this.urlsFor(parentId),
      }),
    );
    await this.auditKeyUse(actor, parentId, 'intermediate', created.certificate.serialNumber);
    return this.store(actor, id, request, 'intermediate', parentId, created, [parent.der, ...parent.chain]);
  }

  /** Intermediate for an external root: key + CSR now, certificate later through `importCertificate`. */
  private async createPending(
    actor: Actor,
    id: string,
    request: CreateIntermediateCaRequest,
  ): Promise<CaView> {
    const csr = await pkiCall(() =>
      createIntermediateCsr({
        keyType: request.keyType,
        subject: request.subject,
        ...(request.pathLength !== undefined && { pathLength: request.pathLength }),
      }),
    );
    const sealed = await sealSignerKey(new Uint8Array(csr.privateKeyPkcs8!), CA_KEY_KIND, id, this.masters);
    const entity = await this.insert({
      id,
      organizationId: actor.organizationId,
      name: request.name,
      parentId: null,
      kind: 'intermediate',
      keyType: request.keyType,
      status: 'pending',
      certificateDer: null,
      certificatePem: null,
      chainPem: '',
      csrPem: csr.csrPem,
      sealedPrivateKey: sealed.sealed,
      masterKeyId: sealed.masterKeyId,
      notAfter: null,
      ocspSignerDer: null,
      ocspSignerSealedKey: null,
      ocspSignerNotAfter: null,
    });
    return this.view(entity);
  }

  /** Second half of an external intermediate: the root's certificate for our key (and the chain above it). */
  async importCertificate(
    actor: Actor,
    caId: string,
    request: ImportCaCertificateRequest,
    ocspSignerKeyType: KeyType | 'none' = 'ecdsa-p256',
  ): Promise<CaView> {
    const entity = await this.find(actor.organizationId, caId);
    if (entity.status !== 'pending')
      throw new ProblemException(409, 'ca_not_pending', 'This CA already has its certificate');
    const signer = await unsealSigner(entity.sealedPrivateKey, CA_KEY_KIND, entity.id, this.masters);
    const chain = request.chain ? splitPem(request.chain) : [];
    const ca = await pkiCall(() =>
      importIntermediateCa({ certificate: request.certificate, signer, issuerChain: chain }),
    );
    const described = describeCertificate(ca.certificate);
    entity.certificateDer = Buffer.from(described.der);
    entity.certificatePem = described.pem;
    entity.chainPem = chainToPem([...ca.chain]);
    entity.notAfter = described.notAfter;
    entity.status = 'active';
    await this.attachOcspSigner(entity, ca, ocspSignerKeyType);
    await this.dataSource.getRepository(CertificateAuthorityEntity).save(entity);
    this.loaded.delete(caId);
    return this.view(entity);
  }

  private async store(
    actor: Actor,
    id: string,
    request: CreateRootCaRequest,
    kind: 'root' | 'intermediate',
    parentId: string | null,
    created: CaCreationResult,
    chain: Uint8Array[],
  ): Promise<CaView> {
    const sealed = await sealSignerKey(
      new Uint8Array(created.privateKeyPkcs8!),
      CA_KEY_KIND,
      id,
      this.masters,
    );
    const entity: Partial<CertificateAuthorityEntity> = {
      id,
      organizationId: actor.organizationId,
      name: request.name,
      parentId,
      kind,
      keyType: request.keyType,
      status: 'active',
      certificateDer: Buffer.from(created.certificate.der),
      certificatePem: created.certificate.pem,
      chainPem: chainToPem(chain),
      csrPem: null,
      sealedPrivateKey: sealed.sealed,
      masterKeyId: sealed.masterKeyId,
      notAfter: created.certificate.notAfter,
      ocspSignerDer: null,
      ocspSignerSealedKey: null,
      ocspSignerNotAfter: null,
    };
    await this.attachOcspSigner(entity, created.ca, request.ocspSignerKeyType, actor);
    // A sub-CA's certificate joins the inventory under its parent, in the same transaction as the CA.
    const inventory = parentId
      ? caCertificateRow(actor.organizationId, parentId, id, created.certificate)
      : undefined;
    const saved = await this.insert(entity, inventory);
    this.loaded.set(id, { organizationId: actor.organizationId, ca: Promise.resolve(created.ca) });
    return this.view(saved);
  }

  /** Delegated OCSP responder certificate (id-kp-OCSPSigning + ocsp-nocheck), key sealed like the CA's. */
  private async attachOcspSigner(
    entity: Partial<CertificateAuthorityEntity>,
    ca: CertificateAuthority,
    keyType: KeyType | 'none',
    actor?: Actor,
  ): Promise<void> {
    if (keyType === 'none') return;
    const signer = await pkiCall(() => issueOcspSigner({ ca, clock: this.clock, keyType }));
    const sealed = await sealSignerKey(
      new Uint8Array(signer.privateKeyPkcs8!),
      OCSP_SIGNER_KEY_KIND,
      entity.id!,
      this.masters,
    );
    entity.ocspSignerDer = Buffer.from(signer.certificate.der);
    entity.ocspSignerSealedKey = sealed.sealed;
    entity.ocspSignerNotAfter = signer.certificate.notAfter;
    if (actor) await this.auditKeyUse(actor, entity.id!, 'ocsp-signer', signer.certificate.serialNumber);
  }

  /** Re-issue the delegated OCSP signer (e.g. before it expires, or to change its key type). */
  async rotateOcspSigner(actor: Actor, caId: string, keyType: KeyType): Promise<CaView> {
    const entity = await this.find(actor.organizationId, caId);
    const ca = await this.authority(actor.organizationId, caId);
    await this.attachOcspSigner(entity, ca, keyType, actor);
    await this.dataSource.getRepository(CertificateAuthorityEntity).save(entity);
    return this.view(entity);
  }

  private async insert(
    entity: Partial<CertificateAuthorityEntity>,
    certificate?: Partial<CertificateEntity>,
  ): Promise<CertificateAuthorityEntity> {
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(CertificateAuthorityEntity, entity);
        if (certificate) await manager.insert(CertificateEntity, certificate);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'ca_exists', `A CA named "${entity.name}" already exists`);
      if (isIssuerNotActive(error))
        throw new ProblemException(409, 'ca_revoked', 'The issuing CA is revoked');
      throw error;
    }
    return this.dataSource.getRepository(CertificateAuthorityEntity).findOneByOrFail({ id: entity.id! });
  }

  async list(organizationId: string): Promise<CaView[]> {
    const rows = await this.dataSource
      .getRepository(CertificateAuthorityEntity)
      .find({ where: { organizationId }, order: { createdAt: 'ASC' }, take: 1000 });
    return rows.map((r) => this.view(r));
  }

  async get(organizationId: string, caId: string): Promise<CaView> {
    return this.view(await this.find(organizationId, caId), true);
  }

  /** The CA row, only within the caller's organization (404 otherwise, not 403: ids do not leak). */
  async find(
    organizationId: string | null,
    caId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CertificateAuthorityEntity> {
    const row = isUuid(caId)
      ? await manager
          .getRepository(CertificateAuthorityEntity)
          .findOne({ where: organizationId ? { id: caId, organizationId } : { id: caId } })
      : null;
    if (!row) throw new ProblemException(404, 'ca_not_found', 'No such certificate authority');
    return row;
  }

  /** The signing CA (signer unsealed once per process; its row is read only the first time). */
  async authority(organizationId: string | null, caId: string): Promise<CertificateAuthority> {
    const cached = this.loaded.get(caId);
    if (cached && (organizationId === null || cached.organizationId === organizationId)) return cached.ca;
    const row = await this.find(organizationId, caId);
    if (row.status === 'revoked') throw new ProblemException(409, 'ca_revoked', 'The CA is revoked');
    if (row.status !== 'active') throw new ProblemException(409, 'ca_not_active', `The CA is ${row.status}`);
    let entry = this.loaded.get(caId);
    if (!entry) {
      const ca = this.load(row);
      ca.catch(() => this.loaded.delete(caId));
      entry = { organizationId: row.organizationId, ca };
      this.loaded.set(caId, entry);
    }
    return entry.ca;
  }

  /** Drop a CA from this process's signing cache (it was revoked). */
  forget(caId: string): void {
    this.loaded.delete(caId);
  }

  private async load(row: CertificateAuthorityEntity): Promise<CertificateAuthority> {
    const signer = await unsealSigner(row.sealedPrivateKey, CA_KEY_KIND, row.id, this.masters);
    return loadCertificateAuthority({
      certificate: new Uint8Array(row.certificateDer!),
      signer,
      issuerChain: splitPem(row.chainPem),
    });
  }

  /** The delegated OCSP responder of a CA (for tooling/tests; the OCSP app does the same on its own). */
  async ocspResponder(row: CertificateAuthorityEntity): Promise<OcspResponder | null> {
    if (!row.ocspSignerDer || !row.ocspSignerSealedKey) return null;
    const signer = await unsealSigner(row.ocspSignerSealedKey, OCSP_SIGNER_KEY_KIND, row.id, this.masters);
    return {
      signer,
      certificate: describeCertificate(new Uint8Array(row.ocspSignerDer)).certificate,
      delegated: true,
    };
  }

  async chainPem(caId: string): Promise<string> {
    const row = await this.find(null, caId);
    if (!row.certificatePem)
      throw new ProblemException(404, 'ca_not_active', 'The CA has no certificate yet');
    return row.certificatePem + row.chainPem;
  }

  /** CA key use is an audit event of its own (CRLs, subordinate CAs, OCSP signers; leaf issuance is audited by its route). */
  auditKeyUse(
    actor: Pick<Actor, 'organizationId' | 'type' | 'id' | 'requestId'>,
    caId: string,
    purpose: string,
    reference?: string,
    manager?: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      {
        organizationId: actor.organizationId,
        actorType: actor.type,
        actorId: actor.id,
        action: 'ca.key.use',
        resourceType: 'certificate_authority',
        resourceRef: caId,
        outcome: 'success',
        requestId: actor.requestId ?? null,
        details: { purpose, ...(reference && { reference }) },
      },
      manager,
    );
  }

  view(row: CertificateAuthorityEntity, withCsr = false): CaView {
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      parentId: row.parentId,
      keyType: row.keyType,
      status: row.status,
      notAfter: row.notAfter?.toISOString() ?? null,
      certificatePem: row.certificatePem,
      ...((withCsr || row.status === 'pending') && { csrPem: row.csrPem }),
      ocspSigner: row.ocspSignerNotAfter ? { notAfter: row.ocspSignerNotAfter.toISOString() } : null,
      urls: publicPaths(row.id),
      createdAt: row.createdAt.toISOString(),
    };
  }
}

/**
 * A sub-CA must not outlive its issuer: asking for more is a refusal that says how much is left, not a
 * certificate silently cut short (RFC 5280 leaves the path invalid past the issuer's notAfter anyway).
 */
export function assertWithinIssuer(ttlSeconds: number, issuerNotAfter: Date, now: Date): void {
  const start = Math.floor(now.getTime() / 1000);
  const left = Math.floor(issuerNotAfter.getTime() / 1000) - start;
  if (ttlSeconds > left) {
    throw new ProblemException(
      400,
      'ttl_exceeds_issuer',
      `ttlSeconds ${ttlSeconds} reaches past the issuing CA's notAfter (${issuerNotAfter.toISOString()}); at most ${Math.max(0, left)} is left`,
    );
  }
}

/** The database refused a certificate row because its issuing CA is not active (see the migration's trigger). */
export function isIssuerNotActive(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown }; code?: unknown } | null) ?? null;
  return (driverError?.driverError?.code ?? driverError?.code) === ISSUER_NOT_ACTIVE_SQLSTATE;
}

export function splitPem(text: string): Uint8Array[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => pemDecode(block, ['CERTIFICATE']));
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
