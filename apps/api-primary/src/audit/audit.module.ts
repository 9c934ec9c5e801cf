import { Global, Module } from '@nestjs/common';
import type { MasterKeyRing } from '@mazevault/crypto';
import { CLOCK } from '@mazevault/platform';
import { KeysModule } from '../keys/keys.module';
import { MASTER_KEY_RING } from '../secrets/secrets.tokens';
import { AUDIT_CLOCK, AuditCheckpointService } from './audit-checkpoint.service';
import { AuditKeys } from '@mazevault/audit';
import { AuditEventsReader } from './audit-events.reader';
import { AuditSealerService } from './audit-sealer.service';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Global()
@Module({
  imports: [KeysModule],
  controllers: [AuditController],
  providers: [
    // Purpose keys derived from the master key, lazily, once per master key.
    {
      provide: AuditKeys,
      inject: [MASTER_KEY_RING],
      useFactory: (ring: MasterKeyRing) => new AuditKeys(ring),
    },
    { provide: AUDIT_CLOCK, useExisting: CLOCK },
    AuditService,
    AuditEventsReader,
    AuditSealerService,
    AuditCheckpointService,
  ],
  exports: [AuditService, AuditEventsReader, AuditSealerService, AuditCheckpointService, AuditKeys],
})
export class AuditModule {}
