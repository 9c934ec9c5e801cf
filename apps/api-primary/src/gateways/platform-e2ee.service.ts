import { Inject, Injectable } from '@nestjs/common';
import {
  type E2eeKeys,
  generateE2eeKeys,
  type MasterKeyRing,
  openE2eeKeys,
  sealE2eeKeys,
} from '@mazevault/crypto';
import type { GatewayE2eeKeys } from '@mazevault/contracts';
import { PlatformE2eeKeysEntity } from '@mazevault/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MASTER_KEY_RING } from '../secrets/secrets.tokens';

const PURPOSE = 'gateway-e2ee';
/** AAD kind of the sealed private keys (bound to the row's key_id). */
export const PLATFORM_E2EE_KEY_KIND = 'platform-e2ee';

/**
 * The Primary's end-to-end keys for the gateway protocol: created once on first start (each replica
 * may generate a pair, the primary key lets exactly one INSERT win, all then load the winner), the
 * private halves sealed with the master key like the platform CA key.
 */
@Injectable()
export class PlatformE2eeService {
  private loaded: Promise<E2eeKeys> | null = null;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MASTER_KEY_RING) private readonly masters: MasterKeyRing,
  ) {}

  get(): Promise<E2eeKeys> {
    this.loaded ??= this.ensure().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  /** What a gateway receives at registration (`primaryE2ee`). */
  async publicKeys(): Promise<GatewayE2eeKeys> {
    const keys = await this.get();
    return { signing: keys.signing.publicJwk, encryption: keys.encryption.publicJwk };
  }

  private async ensure(): Promise<E2eeKeys> {
    const repository = this.dataSource.getRepository(PlatformE2eeKeysEntity);
    let row = await repository.findOneBy({ purpose: PURPOSE });
    if (!row) {
      const keyId = randomUUID();
      const keys = await generateE2eeKeys();
      await repository
        .createQueryBuilder()
        .insert()
        .values({
          purpose: PURPOSE,
          keyId,
          signingPublicJwk: { ...keys.signing.publicJwk },
          encryptionPublicJwk: { ...keys.encryption.publicJwk },
          sealedPrivateKeys: await sealE2eeKeys(
            keys,
            { kind: PLATFORM_E2EE_KEY_KIND, ownerId: keyId },
            this.masters,
          ),
        })
        .orIgnore()
        .execute();
      row = await repository.findOneByOrFail({ purpose: PURPOSE });
    }
    return openE2eeKeys(
      row.sealedPrivateKeys,
      { kind: PLATFORM_E2EE_KEY_KIND, ownerId: row.keyId },
      this.masters,
    );
  }
}
