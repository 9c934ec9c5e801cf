import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuditEventsQuery, AuditEventsQuerySchema } from '@mazevault/contracts';
import { ApiZodQuery, ValidQuery } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Authenticated } from '../auth/authenticated.decorator';
import { organizationResource, platformResource } from '../organizations/platform-resource.util';
import type { ChainVerification } from '@mazevault/audit';
import { type AuditEventsPage, AuditEventsReader } from './audit-events.reader';
import { AuditSealerService } from './audit-sealer.service';

@ApiTags('audit')
@Authenticated()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly sealer: AuditSealerService,
    private readonly reader: AuditEventsReader,
  ) {}

  @Get('events')
  // Another organization's events (`?organizationId=`) and the events of no organization
  // (`?unscoped=true`, anonymous calls) are for a platform admin only.
  @RequirePermission('audit:read', (req: AuthenticatedRequest & { query?: Record<string, unknown> }) =>
    req.query?.['unscoped'] === 'true'
      ? platformResource(req, 'audit_event')
      : organizationResource(
          req,
          typeof req.query?.['organizationId'] === 'string' ? req.query['organizationId'] : undefined,
        ),
  )
  @ApiOperation({
    summary: "The organization's audit events, newest first, filtered and paginated by cursor",
    description:
      'Filters combine with AND. `nextCursor` in the answer is the `before` of the next (older) page.',
  })
  @ApiZodQuery(AuditEventsQuerySchema)
  events(
    @Req() request: AuthenticatedRequest,
    @ValidQuery(AuditEventsQuerySchema) query: AuditEventsQuery,
  ): Promise<AuditEventsPage> {
    const organizationId =
      query.unscoped === 'true' ? null : (query.organizationId ?? request.principal.organizationId);
    return this.reader.page(organizationId, query);
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
