import { Global, Module } from '@nestjs/common';
import { AuditSealerService } from './audit-sealer.service';
import { AuditService } from './audit.service';

@Global()
@Module({ providers: [AuditService, AuditSealerService], exports: [AuditService, AuditSealerService] })
export class AuditModule {}
