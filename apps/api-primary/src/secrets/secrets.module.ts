import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { ProjectsModule } from '../projects/projects.module';
import { SecretsController } from './secrets.controller';
import { SecretsService } from './secrets.service';
import { WrappingController } from './wrapping.controller';
import { WrappingService } from './wrapping.service';

/** Envelope-encrypted secrets (Vault KV v2 style) and response wrapping. */
@Module({
  imports: [AuditModule, KeysModule, ProjectsModule],
  controllers: [SecretsController, WrappingController],
  providers: [SecretsService, WrappingService],
  exports: [SecretsService],
})
export class SecretsModule {}
