import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  parseDurationSeconds,
  type SecretVersionsRequest,
  SecretVersionsRequestSchema,
  type UpdateSecretMetadataRequest,
  UpdateSecretMetadataRequestSchema,
  type WriteSecretRequest,
  WriteSecretRequestSchema,
} from '@mazevault/contracts';
import { InvalidSecretReferenceError, parseSecretReference, projectSecretField } from '@mazevault/keyvault';
import { ApiZodBody, ProblemException, ValidBody } from '@mazevault/platform';
import { RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import type { SecretScope } from '../projects/secret-scope.service';
import { environmentScopeOf } from '../projects/request-scope.util';
import { secretResource, type SecretRequest } from './secret-resource.resolver';
import { toSecretData } from './secret-value.util';
import { type JsonValue, SecretsService } from './secrets.service';
import { type WrapInfo, WrappingService } from './wrapping.service';

const BASE = 'projects/:projectId/environments/:environmentId';
const pathRef = (req: { params?: Record<string, string> }) => req.params?.['*'];

/**
 * The secrets API, Vault KV v2 style: `secrets/<path>` for values, `metadata/<path>` for versions and
 * custom metadata, `undelete/` and `destroy/` for version lifecycle, `credentials?ref=` for the
 * canonical URI (`azure://vault/app/db#username?version=2`). Project and environment may be ids or slugs.
 */
@ApiTags('secrets')
@Authenticated()
@Controller(BASE)
export class SecretsController {
  constructor(
    private readonly secrets: SecretsService,
    private readonly wrapping: WrappingService,
  ) {}

  @Get('secrets')
  @RequirePermission('secrets:list', secretResource)
  @ApiOperation({
    summary: 'List secret names under a folder (`?prefix=app/`): leaves, and folders ending in "/"',
  })
  @ApiQuery({ name: 'prefix', required: false })
  async list(@Req() request: SecretRequest, @Query('prefix') prefix?: string): Promise<{ keys: string[] }> {
    return { keys: await this.secrets.list(this.scope(request), prefix) };
  }

  @Get('secrets/*')
  @RequirePermission('secrets:read', secretResource)
  @ApiOperation({
    summary:
      'Read a secret (latest or `?version=`); `?wrap_ttl=60s` returns a single-use wrapping token instead',
  })
  @ApiParam({ name: '*', description: 'secret path, e.g. app/db' })
  @ApiQuery({ name: 'version', required: false })
  @ApiQuery({ name: 'wrap_ttl', required: false })
  @Audited({ action: 'secret.read', resourceType: 'secret', resourceRef: pathRef })
  async read(
    @Req() request: SecretRequest,
    @Query('version') version?: string,
    @Query('wrap_ttl') wrapTtl?: string,
  ): Promise<object | { wrap: WrapInfo }> {
    const scope = this.scope(request);
    const result = await this.secrets.read(scope, request.params['*'], parseVersion(version));
    return this.maybeWrap(scope, result, wrapTtl);
  }

  @Put('secrets/*')
  @RequirePermission('secrets:write', secretResource)
  @ApiOperation({
    summary:
      'Write a new version (creating the secret); `cas` makes it conditional on the current version (409 otherwise)',
  })
  @ApiParam({ name: '*', description: 'secret path' })
  @ApiZodBody(WriteSecretRequestSchema)
  @Audited({ action: 'secret.write', resourceType: 'secret', resourceRef: pathRef })
  async write(@Req() request: SecretRequest, @ValidBody(WriteSecretRequestSchema) body: WriteSecretRequest) {
    const options = {
      ...(body.cas !== undefined ? { cas: body.cas } : {}),
      ...(body.customMetadata ? { customMetadata: body.customMetadata } : {}),
    };
    return this.secrets.write(this.scope(request), request.params['*'], body.value as JsonValue, options);
  }

  @Delete('secrets/*')
  @RequirePermission('secrets:delete', secretResource)
  @ApiOperation({
    summary:
      'Soft-delete the current version (`POST …/delete/<path> {versions}` for others; undelete restores them)',
  })
  @ApiParam({ name: '*', description: 'secret path' })
  @Audited({ action: 'secret.delete', resourceType: 'secret', resourceRef: pathRef })
  async softDeleteCurrent(
    @Req() request: SecretRequest,
    @Query() query: Record<string, unknown>,
  ): Promise<{ deleted: number[] }> {
    if (Object.keys(query).length) {
      throw new ProblemException(
        400,
        'unexpected_query',
        'DELETE …/secrets/<path> deletes the current version; name versions with POST …/delete/<path> {"versions":[...]}',
      );
    }
    return {
      deleted: await this.secrets.softDelete(
        this.scope(request),
        request.params['*'],
        this.actor(request),
        undefined,
      ),
    };
  }

  @Post('delete/*')
  @HttpCode(200)
  @RequirePermission('secrets:delete', secretResource)
  @ApiOperation({ summary: 'Soft-delete the given versions (undelete restores them)' })
  @ApiParam({ name: '*', description: 'secret path' })
  @ApiZodBody(SecretVersionsRequestSchema)
  @Audited({ action: 'secret.delete', resourceType: 'secret', resourceRef: pathRef })
  async softDelete(
    @Req() request: SecretRequest,
    @ValidBody(SecretVersionsRequestSchema) body: SecretVersionsRequest,
  ): Promise<{ deleted: number[] }> {
    return {
      deleted: await this.secrets.softDelete(
        this.scope(request),
        request.params['*'],
        this.actor(request),
        body.versions,
      ),
    };
  }

  @Post('undelete/*')
  @HttpCode(200)
  @RequirePermission('secrets:write', secretResource)
  @ApiOperation({ summary: 'Undelete soft-deleted versions' })
  @ApiParam({ name: '*', description: 'secret path' })
  @ApiZodBody(SecretVersionsRequestSchema)
  @Audited({ action: 'secret.undelete', resourceType: 'secret', resourceRef: pathRef })
  async undelete(
    @Req() request: SecretRequest,
    @ValidBody(SecretVersionsRequestSchema) body: SecretVersionsRequest,
  ) {
    return {
      undeleted: await this.secrets.undelete(this.scope(request), request.params['*'], body.versions),
    };
  }

  @Post('destroy/*')
  @HttpCode(200)
  @RequirePermission('secrets:delete', secretResource)
  @ApiOperation({ summary: 'Destroy versions for good (their ciphertext is wiped)' })
  @ApiParam({ name: '*', description: 'secret path' })
  @ApiZodBody(SecretVersionsRequestSchema)
  @Audited({ action: 'secret.destroy', resourceType: 'secret', resourceRef: pathRef })
  async destroy(
    @Req() request: SecretRequest,
    @ValidBody(SecretVersionsRequestSchema) body: SecretVersionsRequest,
  ) {
    return { destroyed: await this.secrets.destroy(this.scope(request), request.params['*'], body.versions) };
  }

  @Get('metadata/*')
  @RequirePermission('secrets:list', secretResource)
  @ApiOperation({
    summary: 'Current version, versions (timestamps, enabled), max_versions and custom metadata',
  })
  @ApiParam({ name: '*', description: 'secret path' })
  async metadata(@Req() request: SecretRequest) {
    return this.secrets.metadata(this.scope(request), request.params['*']);
  }

  @Patch('metadata/*')
  @RequirePermission('secrets:write', secretResource)
  @ApiOperation({ summary: 'Merge or replace custom metadata; set max_versions' })
  @ApiParam({ name: '*', description: 'secret path' })
  @ApiZodBody(UpdateSecretMetadataRequestSchema)
  @Audited({ action: 'secret.metadata.update', resourceType: 'secret', resourceRef: pathRef })
  async updateMetadata(
    @Req() request: SecretRequest,
    @ValidBody(UpdateSecretMetadataRequestSchema) body: UpdateSecretMetadataRequest,
  ) {
    return this.secrets.updateMetadata(this.scope(request), request.params['*'], body);
  }

  @Delete('metadata/*')
  @HttpCode(204)
  @RequirePermission('secrets:delete', secretResource)
  @ApiOperation({ summary: 'Delete the secret with every version and its metadata, permanently' })
  @ApiParam({ name: '*', description: 'secret path' })
  @Audited({ action: 'secret.purge', resourceType: 'secret', resourceRef: pathRef })
  async deleteAll(@Req() request: SecretRequest): Promise<void> {
    await this.secrets.deleteAll(this.scope(request), request.params['*']);
  }

  @Get('credentials')
  @RequirePermission('secrets:read', secretResource)
  @ApiOperation({
    summary:
      'Resolve a canonical reference: `azure://vault/app/db` → the whole value (a dict, or `{value}` for a scalar); `#field` → `{field: value}`; `?version=` selects a version',
  })
  @ApiQuery({ name: 'ref', required: true })
  @ApiQuery({ name: 'wrap_ttl', required: false })
  @Audited({
    action: 'secret.read',
    resourceType: 'secret',
    resourceRef: (req) => (req as { query?: { ref?: string } }).query?.ref,
  })
  async credentials(
    @Req() request: SecretRequest,
    @Query('ref') ref?: string,
    @Query('wrap_ttl') wrapTtl?: string,
  ) {
    let parsed;
    try {
      parsed = parseSecretReference(ref ?? '');
    } catch (error) {
      if (error instanceof InvalidSecretReferenceError)
        throw new ProblemException(400, 'invalid_secret_reference', error.message);
      throw error;
    }
    const scope = this.scope(request);
    const version = parsed.version === undefined ? undefined : parseVersion(parsed.version.replace(/^v/, ''));
    const { value } = await this.secrets.read(scope, parsed.name, version);
    const data = toSecretData(value);
    // A field the value does not have is an error the caller must see, not a silent null.
    if (
      parsed.key !== undefined &&
      (data.scalar || !Object.prototype.hasOwnProperty.call(data.data, parsed.key))
    ) {
      throw new ProblemException(
        404,
        'secret_field_not_found',
        `The secret "${parsed.name}" has no field "${parsed.key}"`,
      );
    }
    return this.maybeWrap(scope, projectSecretField(data, parsed.key), wrapTtl);
  }

  private actor(request: SecretRequest) {
    return {
      type: request.principal.type,
      id: request.principal.id,
      requestId: (request as { id?: string }).id,
    };
  }

  /** Resolved, and checked against TENANT_ID, once per request by ScopeResolutionGuard. */
  private scope(request: SecretRequest): SecretScope {
    return environmentScopeOf(request);
  }

  private async maybeWrap(scope: SecretScope, payload: object, wrapTtl: string | undefined): Promise<object> {
    if (wrapTtl === undefined) return payload;
    const ttl = parseDurationSeconds(wrapTtl);
    if (!ttl)
      throw new ProblemException(400, 'invalid_wrap_ttl', 'wrap_ttl is a duration such as 60, 60s, 5m or 1h');
    return { wrap: await this.wrapping.wrap(scope.organizationId, payload, ttl) };
  }
}

function parseVersion(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1)
    throw new ProblemException(400, 'invalid_version', 'version is a positive integer');
  return Number(raw);
}
