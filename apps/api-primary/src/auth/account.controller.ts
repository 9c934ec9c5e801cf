import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ChangePasswordRequest, ChangePasswordRequestSchema } from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { ActsOnSelf, type AuthenticatedRequest } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { AccountService, type WhoAmI } from './account.service';
import { Authenticated } from './authenticated.decorator';

/** The caller's own account: any authenticated principal, acting on itself only. */
@ApiTags('auth')
@Authenticated()
@Controller('auth')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Get('whoami')
  @ActsOnSelf()
  @ApiOperation({
    summary: 'Who the bearer credential is: user or API token, organization, role bindings, expiry',
  })
  whoami(@Req() request: AuthenticatedRequest): Promise<WhoAmI> {
    return this.accounts.whoami(request.principal);
  }

  @Post('logout')
  @HttpCode(204)
  @ActsOnSelf()
  @ApiOperation({
    summary: 'Log out: ends every session of the calling user (sessions issued before now stop working)',
  })
  @ApiNoContentResponse()
  @Audited({
    action: 'auth.logout',
    resourceType: 'user',
    resourceRef: (req) => (req as AuthenticatedRequest).principal?.id,
  })
  logout(@Req() request: AuthenticatedRequest): Promise<void> {
    return this.accounts.logout(request.principal);
  }

  @Post('password')
  @HttpCode(204)
  @ActsOnSelf()
  @ApiOperation({
    summary: 'Change your own password (the current one is required); your other sessions end',
  })
  @ApiZodBody(ChangePasswordRequestSchema)
  @ApiNoContentResponse()
  @Audited({
    action: 'auth.password.change',
    resourceType: 'user',
    resourceRef: (req) => (req as AuthenticatedRequest).principal?.id,
  })
  changePassword(
    @ValidBody(ChangePasswordRequestSchema) body: ChangePasswordRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    return this.accounts.changePassword(request.principal, body.currentPassword, body.newPassword);
  }
}
