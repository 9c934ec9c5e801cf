import type { GatewayE2eeKeys } from '@mazevault/contracts';
import {
  type E2eeKeys,
  type MasterKeyRing,
  openE2eeKeys,
  openPrivateKey,
  sealE2eeKeys,
  sealPrivateKey,
} from '@mazevault/crypto';
import { GatewayIdentityEntity } from '@mazevault/persistence';
import { createPrivateKey } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** AAD kind of the gateway's sealed key (bound to its gateway id). */
const IDENTITY_KEY_KIND = 'gateway-identity';
/** AAD kind of its sealed E2EE private keys (bound to its gateway id). */
const E2EE_KEY_KIND = 'gateway-e2ee';
const SLOT = 'current';

export interface GatewayIdentity {
  gatewayId: string;
  certificatePem: string;
  /** PKCS#8 PEM, in memory only; at rest it is sealed with the master key. */
  privateKeyPem: string;
  platformCaPem: string;
  notAfter: Date;
  /** Its end-to-end keys (private halves in memory only; sealed at rest). */
  e2ee: E2eeKeys;
  /** The Primary's public E2EE keys, received at registration. */
  primaryE2ee: GatewayE2eeKeys;
  /** SHA-256 of the bootstrap token it was enrolled with (a different token means: enroll again). */
  bootstrapTokenHash: string | null;
}

/**
 * The gateway's identity in its own database, its private keys (TLS and E2EE) sealed with the
 * gateway's master key.
 */
export class GatewayIdentityStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly masters: MasterKeyRing,
  ) {}

  async load(): Promise<GatewayIdentity | null> {
    const row = await this.dataSource.getRepository(GatewayIdentityEntity).findOneBy({ slot: SLOT });
    // An identity enrolled before end-to-end encryption cannot speak to the Primary: enroll again.
    if (!row || !row.sealedE2eeKeys || !row.primaryE2ee) return null;
    const e2ee = await openE2eeKeys(
      row.sealedE2eeKeys,
      { kind: E2EE_KEY_KIND, ownerId: row.gatewayId },
      this.masters,
    );
    const pkcs8 = await openPrivateKey(
      row.sealedPrivateKey,
      { kind: IDENTITY_KEY_KIND, ownerId: row.gatewayId },
      this.masters,
    );
    try {
      return {
        gatewayId: row.gatewayId,
        certificatePem: row.certificatePem,
        privateKeyPem: toPem(pkcs8),
        platformCaPem: row.platformCaPem,
        notAfter: row.notAfter,
        e2ee,
        primaryE2ee: row.primaryE2ee as GatewayE2eeKeys,
        bootstrapTokenHash: row.bootstrapTokenHash,
      };
    } finally {
      pkcs8.fill(0);
    }
  }

  async save(identity: Omit<GatewayIdentity, 'privateKeyPem'>, pkcs8: Uint8Array): Promise<void> {
    const sealed = await sealPrivateKey(
      pkcs8,
      { kind: IDENTITY_KEY_KIND, ownerId: identity.gatewayId },
      this.masters,
    );
    await this.dataSource.getRepository(GatewayIdentityEntity).save({
      slot: SLOT,
      gatewayId: identity.gatewayId,
      certificatePem: identity.certificatePem,
      platformCaPem: identity.platformCaPem,
      sealedPrivateKey: sealed.sealed,
      notAfter: identity.notAfter,
      sealedE2eeKeys: await sealE2eeKeys(
        identity.e2ee,
        { kind: E2EE_KEY_KIND, ownerId: identity.gatewayId },
        this.masters,
      ),
      primaryE2ee: {
        signing: { ...identity.primaryE2ee.signing },
        encryption: { ...identity.primaryE2ee.encryption },
      },
      bootstrapTokenHash: identity.bootstrapTokenHash,
    });
  }
}

export function toPem(pkcs8: Uint8Array): string {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}
