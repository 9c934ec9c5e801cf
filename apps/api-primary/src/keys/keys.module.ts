import { Module } from '@nestjs/common';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { createMasterKeyRing } from '../secrets/master-key.factory';
import { ProjectKeysService } from '../secrets/project-keys.service';
import { MASTER_KEY_RING } from '../secrets/secrets.tokens';

/**
 * The key hierarchy above the data keys: the master-key ring (env, file or Key Vault) and the project
 * key-encryption keys it wraps. Secrets, the CA (its keys are wrapped the same way) and the audit chain
 * (purpose keys derived from the master key) import this, not each other.
 */
@Module({
  providers: [
    {
      provide: MASTER_KEY_RING,
      inject: [PRIMARY_CONFIG],
      useFactory: (config: PrimaryConfig) => createMasterKeyRing(config),
    },
    ProjectKeysService,
  ],
  exports: [MASTER_KEY_RING, ProjectKeysService],
})
export class KeysModule {}
