import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PolicyGuard } from '@mazevault/rbac';
import { AuditSpecGuard } from '../audit/audit-spec.guard';
import { AuthGuard } from '../auth/auth.guard';
import { ScopeResolutionGuard } from '../projects/scope-resolution.guard';
import { ProjectsModule } from '../projects/projects.module';
import { IdentityModule } from './identity.module';

/**
 * The guards every request passes, global so nothing is open by omission. Order matters (Nest runs
 * global guards in the order they are provided): the route's audit spec is checked, the caller is
 * authenticated, project/environment names are resolved to ids, then the call is authorized.
 */
@Module({
  imports: [IdentityModule, ProjectsModule],
  providers: [
    { provide: APP_GUARD, useClass: AuditSpecGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: ScopeResolutionGuard },
    { provide: APP_GUARD, useClass: PolicyGuard },
  ],
})
export class RequestGuardsModule {}
