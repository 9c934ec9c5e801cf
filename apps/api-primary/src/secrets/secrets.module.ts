import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { ProjectsController } from '../projects/projects.controller';
import { ProjectsService } from '../projects/projects.service';
import { SecretScopeService } from '../projects/secret-scope.service';
import { createMasterKeyRing } from './master-key.factory';
import { ProjectKeysService } from './project-keys.service';
import { SecretsController } from './secrets.controller';
import { SecretsService } from './secrets.service';
import { MASTER_KEY_RING } from './secrets.tokens';
import { TenantGuardService } from './tenant-guard.service';
import { WrappingController } from './wrapping.controller';
import { WrappingService } from './wrapping.service';

@Module({
  imports: [AuditModule],
  controllers: [ProjectsController, SecretsController, WrappingController],
  providers: [
    { provide: MASTER_KEY_RING, inject: [PRIMARY_CONFIG], useFactory: (config: PrimaryConfig) => createMasterKeyRing(config) },
    ProjectKeysService,
    ProjectsService,
    SecretScopeService,
    SecretsService,
    TenantGuardService,
    WrappingService,
  ],
  exports: [SecretScopeService, SecretsService, ProjectKeysService, MASTER_KEY_RING, TenantGuardService],
})
export class SecretsModule {}
