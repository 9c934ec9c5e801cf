import { Module } from '@nestjs/common';
import { ApiTokensController } from '../api-tokens/api-tokens.controller';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { AccountController } from '../auth/account.controller';
import { AccountService } from '../auth/account.service';
import { AuthController } from '../auth/auth.controller';
import { AuthService } from '../auth/auth.service';
import { JwtService } from '../auth/jwt.service';
import { LoginLockoutService } from '../auth/login-lockout.service';
import { PrincipalService } from '../auth/principal.service';
import { OrganizationsController } from '../organizations/organizations.controller';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProjectsModule } from '../projects/projects.module';
import { BuiltinRolesSync } from '../rbac/builtin-roles.sync';
import { RoleBindingsController } from '../role-bindings/role-bindings.controller';
import { RoleBindingsService } from '../role-bindings/role-bindings.service';
import { UsersController } from '../users/users.controller';
import { UsersService } from '../users/users.service';

/**
 * Who is calling and what they are bound to: login and JWTs, principals (users and API tokens),
 * users, organizations, role bindings and the built-in roles. API tokens are scoped to projects and
 * environments, hence ProjectsModule.
 */
@Module({
  imports: [ProjectsModule],
  controllers: [
    AuthController,
    AccountController,
    UsersController,
    OrganizationsController,
    RoleBindingsController,
    ApiTokensController,
  ],
  providers: [
    JwtService,
    LoginLockoutService,
    AuthService,
    AccountService,
    PrincipalService,
    UsersService,
    OrganizationsService,
    ApiTokensService,
    RoleBindingsService,
    BuiltinRolesSync,
  ],
  exports: [PrincipalService, JwtService],
})
export class IdentityModule {}
