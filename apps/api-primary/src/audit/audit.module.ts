import { Global, Module } from '@nestjs/common';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { createMasterKeyRing } from '../secrets/master-key.factory';
import { AUDIT_CLOCK, AuditCheckpointService } from './audit-checkpoint.service';
import { AuditKeys } from '@mazevault/audit';
import { AuditEventsReader } from './audit-events.reader';
import { AuditSealerService } from './audit-sealer.service';
import { AuditService } from './audit.service';

@Global()
@Module({
  providers: [
    // Its own ring from the same config (the secrets module's needs the audit writer): keys are
    // derived lazily, once per master key.
    {
      provide: AuditKeys,
      inject: [PRIMARY_CONFIG],
      useFactory: (config: PrimaryConfig) => new AuditKeys(createMasterKeyRing(config)),
    },
    { provide: AUDIT_CLOCK, useValue: { now: () => new Date() } },
    AuditService,
    AuditEventsReader,
    AuditSealerService,
    AuditCheckpointService,
  ],
  exports: [AuditService, AuditEventsReader, AuditSealerService, AuditCheckpointService, AuditKeys],
})
export class AuditModule {}
