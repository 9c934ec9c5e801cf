import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CreateApiTokenRequest, CreateApiTokenRequestSchema } from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import {
  existingTokenResource,
  requestedTokenResource,
  tokenListResource,
} from './api-token-resource.resolvers';
import { type ApiTokenView, ApiTokensService } from './api-tokens.service';

@ApiTags('api-tokens')
@Authenticated()
@Controller('tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @RequirePermission('tokens:manage', requestedTokenResource)
  @ApiOperation({ summary: 'Create a scoped, expiring API token for a pipeline or service (shown once)' })
  @ApiZodBody(CreateApiTokenRequestSchema)
  @ApiCreatedResponse({ description: 'The token, in `token`: store it now, it is never shown again' })
  @Audited({
    action: 'api_token.create',
    resourceType: 'api_token',
    resourceRef: (_req, result) => (result as ApiTokenView | undefined)?.id,
  })
  create(
    @ValidBody(CreateApiTokenRequestSchema) body: CreateApiTokenRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ApiTokenView & { token: string }> {
    return this.tokens.create(request.principal, body);
  }

  @Get()
  @RequirePermission('tokens:manage', tokenListResource)
  @ApiOperation({ summary: 'List the API tokens the caller may manage (never their values)' })
  list(@Req() request: AuthenticatedRequest): Promise<ApiTokenView[]> {
    return this.tokens.list(request.principal);
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @RequirePermission('tokens:manage', existingTokenResource)
  @ApiOperation({ summary: 'Revoke an API token: it stops working at once' })
  @Audited({
    action: 'api_token.revoke',
    resourceType: 'api_token',
    resourceRef: (req) => req.params?.tokenId,
  })
  revoke(
    @Param('tokenId', ParseUUIDPipe) tokenId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    return this.tokens.revoke(request.principal.organizationId, tokenId);
  }
}
