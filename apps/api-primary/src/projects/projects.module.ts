import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';
import { TenantGuardService } from '../secrets/tenant-guard.service';
import { SecretScopeService } from './secret-scope.service';

/** Projects and their environments (`/api/v1/projects`); a new project gets its key from KeysModule. */
@Module({
  imports: [KeysModule],
  controllers: [ProjectsController],
  // TenantGuardService: a pinned deployment (TENANT_ID) is checked where the scope is resolved.
  providers: [ProjectsService, SecretScopeService, TenantGuardService],
  exports: [ProjectsService, SecretScopeService, TenantGuardService],
})
export class ProjectsModule {}
