import { Controller, DefaultValuePipe, Get, Inject, ParseIntPipe, ParseUUIDPipe, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditEventEntity } from '@mazevault/persistence';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { DataSource, LessThan } from 'typeorm';
import { Authenticated } from '../auth/authenticated.decorator';
import { organizationResource, platformResource } from '../organizations/platform-resource.util';
import type { ChainVerification } from '@mazevault/audit';
import { AuditSealerService } from './audit-sealer.service';

@ApiTags('audit')
@Authenticated()
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly sealer: AuditSealerService,
  ) {}

  @Get('events')
  // Another organization's events (`?organizationId=`) are for a platform admin only.
  @RequirePermission('audit:read', (req: AuthenticatedRequest & { query?: Record<string, unknown> }) =>
    organizationResource(req, typeof req.query?.['organizationId'] === 'string' ? req.query['organizationId'] : undefined))
  @ApiOperation({ summary: "The organization's audit events, newest first (cursor: `before` = an event id)" })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'before', required: false })
  @ApiQuery({ name: 'organizationId', required: false })
  events(
    @Req() request: AuthenticatedRequest,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
    @Query('before', new DefaultValuePipe(0), ParseIntPipe) before: number,
    @Query('organizationId', new ParseUUIDPipe({ optional: true })) organizationId?: string,
  ): Promise<AuditEventEntity[]> {
    return this.dataSource.getRepository(AuditEventEntity).find({
      where: { organizationId: organizationId ?? request.principal.organizationId, ...(before > 0 ? { id: LessThan(String(before)) } : {}) },
      order: { id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 1000),
    });
  }

  @Get('verify')
  // The chain spans every organization: verifying it is a platform admin's job.
  @RequirePermission('audit:read', (req) => platformResource(req, 'audit_chain'))
  @ApiOperation({ summary: 'Seal pending events and verify the whole tamper-evident hash chain' })
  async verify(): Promise<ChainVerification> {
    await this.sealer.sealPending();
    return this.sealer.verify();
  }
}
