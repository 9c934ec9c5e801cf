import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type IssueCertificateRequest,
  IssueCertificateRequestSchema,
  type RenewCertificateRequest,
  RenewCertificateRequestSchema,
  type RevokeCertificateRequest,
  RevokeCertificateRequestSchema,
  type SignCsrRequest,
  SignCsrRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ProblemException, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { type CertificateView, CertificatesService, type IssuedView } from './certificates.service';
import { actorOf } from './pki-actor.util';
import { resolvedCertificateOf, resolvedProfileOf } from './pki-request.util';
import { certificateResource, profileResource } from './pki-resource.resolvers';

const issuedRef = (_req: unknown, result?: unknown) => (result as IssuedView | undefined)?.serial;

/** Issuance (server-side key or CSR), renewal/rekey, revocation and search. */
@ApiTags('pki')
@Authenticated()
@Controller('pki')
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Post('issue')
  @RequirePermission('pki:issue', profileResource)
  @ApiOperation({
    summary:
      'Issue a certificate with a key generated here; the private key (PKCS#8 PEM) is returned once and never stored',
  })
  @ApiZodBody(IssueCertificateRequestSchema)
  @Audited({ action: 'certificate.issue', resourceType: 'certificate', resourceRef: issuedRef })
  issue(
    @ValidBody(IssueCertificateRequestSchema) body: IssueCertificateRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<IssuedView> {
    return this.certificates.issue(actorOf(request), body, resolvedProfileOf(request));
  }

  @Post('sign')
  @RequirePermission('pki:issue', profileResource)
  @ApiOperation({
    summary:
      'Sign a PKCS#10 CSR under a profile (its self-signature is verified; names and extensions are checked, never copied)',
  })
  @ApiZodBody(SignCsrRequestSchema)
  @Audited({ action: 'certificate.sign', resourceType: 'certificate', resourceRef: issuedRef })
  sign(
    @ValidBody(SignCsrRequestSchema) body: SignCsrRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<IssuedView> {
    return this.certificates.sign(actorOf(request), body, resolvedProfileOf(request));
  }

  @Get('certificates')
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: 'Search certificates by CA, profile, SAN, serial, status and expiry window' })
  @ApiQuery({ name: 'ca', required: false })
  @ApiQuery({ name: 'profile', required: false })
  @ApiQuery({
    name: 'san',
    required: false,
    description: '`dns:x`, `ip:x`, `uri:x`, `email:x` or a DNS name',
  })
  @ApiQuery({ name: 'serial', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['good', 'revoked'] })
  @ApiQuery({ name: 'expiresAfter', required: false, description: 'ISO date' })
  @ApiQuery({ name: 'expiresBefore', required: false, description: 'ISO date' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  search(
    @Req() request: AuthenticatedRequest,
    @Query() query: Record<string, string | undefined>,
  ): Promise<{ items: CertificateView[]; total: number }> {
    const date = (name: string) => {
      const value = query[name];
      if (value === undefined) return undefined;
      const parsed = new Date(value);
      if (Number.isNaN(parsed.getTime()))
        throw new ProblemException(400, 'validation_failed', `${name}: expected an ISO date`);
      return parsed;
    };
    const int = (name: string, fallback: number, max: number) => {
      const value = query[name] === undefined ? fallback : Number(query[name]);
      if (!Number.isInteger(value) || value < 0 || value > max)
        throw new ProblemException(400, 'validation_failed', `${name}: expected an integer 0..${max}`);
      return value;
    };
    if (query.status !== undefined && query.status !== 'good' && query.status !== 'revoked')
      throw new ProblemException(400, 'validation_failed', 'status: good or revoked');
    const expiresAfter = date('expiresAfter');
    const expiresBefore = date('expiresBefore');
    return this.certificates.search(request.principal.organizationId, {
      ...(query.ca && { caId: query.ca }),
      ...(query.profile && { profile: query.profile }),
      ...(query.san && { san: query.san }),
      ...(query.serial && { serial: query.serial }),
      ...(query.status && { status: query.status }),
      ...(expiresAfter && { expiresAfter }),
      ...(expiresBefore && { expiresBefore }),
      limit: Math.max(1, int('limit', 100, 1000)),
      offset: int('offset', 0, 1_000_000),
    });
  }

  @Get('certificates/:serial')
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: 'A certificate by serial (hex)' })
  @ApiParam({ name: 'serial' })
  get(@Param('serial') serial: string, @Req() request: AuthenticatedRequest): Promise<CertificateView> {
    return this.certificates.get(request.principal.organizationId, serial);
  }

  @Post('certificates/:serial/renew')
  @HttpCode(201)
  @RequirePermission('pki:issue', certificateResource)
  @ApiOperation({
    summary: 'Renew (same key) or rekey (CSR or generated key) a certificate under its current profile',
  })
  @ApiParam({ name: 'serial' })
  @ApiZodBody(RenewCertificateRequestSchema)
  @Audited({ action: 'certificate.renew', resourceType: 'certificate', resourceRef: issuedRef })
  renew(
    @Param('serial') serial: string,
    @ValidBody(RenewCertificateRequestSchema) body: RenewCertificateRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<IssuedView> {
    return this.certificates.renew(actorOf(request), serial, body, resolvedCertificateOf(request));
  }

  @Post('certificates/:serial/revoke')
  @HttpCode(200)
  @RequirePermission('pki:revoke', certificateResource)
  @ApiOperation({
    summary: 'Revoke with an RFC 5280 reason; publishes a new CRL and tells every OCSP responder',
  })
  @ApiParam({ name: 'serial' })
  @ApiZodBody(RevokeCertificateRequestSchema)
  @Audited({
    action: 'certificate.revoke',
    resourceType: 'certificate',
    resourceRef: (req) => req.params?.serial,
  })
  revoke(
    @Param('serial') serial: string,
    @ValidBody(RevokeCertificateRequestSchema) body: RevokeCertificateRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CertificateView> {
    return this.certificates.revoke(actorOf(request), serial, body.reason, resolvedCertificateOf(request));
  }
}
