import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { type UnwrapRequest, UnwrapRequestSchema } from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { Public } from '@mazevault/rbac';
import { type AuditableRequest, attributeAuditTo } from '../audit/audit-spec.guard';
import { Audited } from '../audit/audited.decorator';
import { WrappingService } from './wrapping.service';

/** Public on purpose: the single-use wrapping token is the credential (like Vault's sys/wrapping/unwrap). */
@ApiTags('secrets')
@Public()
@UseGuards(ThrottlerGuard)
@Controller('wrapping')
export class WrappingController {
  constructor(private readonly wrapping: WrappingService) {}

  @Post('unwrap')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unwrap a response-wrapped value: works once, before the TTL' })
  @ApiZodBody(UnwrapRequestSchema)
  @Audited({ action: 'secret.unwrap', resourceType: 'wrapped_response' })
  async unwrap(
    @ValidBody(UnwrapRequestSchema) body: UnwrapRequest,
    @Req() request: AuditableRequest,
  ): Promise<{ data: unknown }> {
    return {
      data: await this.wrapping.unwrap(body.token, (organizationId) =>
        attributeAuditTo(request, organizationId),
      ),
    };
  }
}
