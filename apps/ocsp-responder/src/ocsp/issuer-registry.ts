import type { MasterKeyRing } from '@mazevault/crypto';
import {
  CA_KEY_KIND,
  type CertificateAuthority,
  caAsOcspResponder,
  certIdFor,
  describeCertificate,
  type HashName,
  loadCertificateAuthority,
  type OcspCertId,
  OCSP_SIGNER_KEY_KIND,
  type OcspResponder,
  unsealSigner,
} from '@mazevault/pki';
import type { Pool } from 'pg';

/** A CA this responder answers for: its certificate, who signs, and its CertID hashes per algorithm. */
export interface Issuer {
  id: string;
  responder: OcspResponder;
  ca: CertificateAuthority['certificate'];
  /** `${hashAlgorithm}:${nameHashHex}:${keyHashHex}` for SHA-1 and SHA-256. */
  keys: string[];
}

const HASHES: HashName[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

export function issuerKey(
  certId: Pick<OcspCertId, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash'>,
): string {
  return `${certId.hashAlgorithm}:${Buffer.from(certId.issuerNameHash).toString('hex')}:${Buffer.from(certId.issuerKeyHash).toString('hex')}`;
}

interface CaRow {
  id: string;
  certificate_der: Buffer;
  sealed_private_key: string;
  ocsp_signer_der: Buffer | null;
  ocsp_signer_sealed_key: string | null;
  ocsp_signer_not_after: Date | null;
}

/**
 * The CAs served, matched by issuer name hash + key hash (RFC 6960 4.1.1). Delegated signer when the
 * CA has one (its key unsealed with the master key, as the Primary sealed it), the CA key otherwise.
 */
export class IssuerRegistry {
  private byKey = new Map<string, Issuer>();
  private byId = new Map<string, Issuer>();
  private fingerprints = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    private readonly masters: MasterKeyRing,
    private readonly onError: (message: string) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  all(): Issuer[] {
    return [...this.byId.values()];
  }

  match(certId: OcspCertId): Issuer | undefined {
    return certId.hashAlgorithm ? this.byKey.get(issuerKey(certId)) : undefined;
  }

  get(id: string): Issuer | undefined {
    return this.byId.get(id);
  }

  /** (Re)load CAs; returns the ids whose signer changed (their cached responses must go). */
  async reload(): Promise<string[]> {
    const { rows } = await this.pool.query<CaRow>(
      `SELECT id, certificate_der, sealed_private_key, ocsp_signer_der, ocsp_signer_sealed_key, ocsp_signer_not_after
         FROM certificate_authorities WHERE status = 'active' AND certificate_der IS NOT NULL`,
    );
    const changed: string[] = [];
    const byId = new Map<string, Issuer>();
    for (const row of rows) {
      const fingerprint = `${row.ocsp_signer_der?.toString('base64').slice(-64) ?? 'ca'}`;
      const existing = this.byId.get(row.id);
      if (existing && this.fingerprints.get(row.id) === fingerprint) {
        byId.set(row.id, existing);
        continue;
      }
      try {
        byId.set(row.id, await this.load(row));
        this.fingerprints.set(row.id, fingerprint);
        if (existing) changed.push(row.id);
      } catch (error) {
        this.onError(`CA ${row.id} not served: ${(error as Error).message}`);
        if (existing) byId.set(row.id, existing);
      }
    }
    const byKey = new Map<string, Issuer>();
    for (const issuer of byId.values()) for (const key of issuer.keys) byKey.set(key, issuer);
    this.byId = byId;
    this.byKey = byKey;
    return changed;
  }

  private async load(row: CaRow): Promise<Issuer> {
    const certificate = describeCertificate(new Uint8Array(row.certificate_der)).certificate;
    let responder: OcspResponder;
    if (row.ocsp_signer_der && row.ocsp_signer_sealed_key) {
      const signer = await unsealSigner(
        row.ocsp_signer_sealed_key,
        OCSP_SIGNER_KEY_KIND,
        row.id,
        this.masters,
      );
      responder = {
        signer,
        certificate: describeCertificate(new Uint8Array(row.ocsp_signer_der)).certificate,
        delegated: true,
      };
    } else {
      const signer = await unsealSigner(row.sealed_private_key, CA_KEY_KIND, row.id, this.masters);
      responder = caAsOcspResponder(
        await loadCertificateAuthority({ certificate: new Uint8Array(row.certificate_der), signer }),
      );
    }
    const keys: string[] = [];
    for (const hash of HASHES) keys.push(issuerKey(await certIdFor(certificate, '01', hash)));
    return { id: row.id, responder, ca: certificate, keys };
  }
}
