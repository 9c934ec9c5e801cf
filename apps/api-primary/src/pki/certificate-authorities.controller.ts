import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type CreateIntermediateCaRequest,
  CreateIntermediateCaRequestSchema,
  type CreateRootCaRequest,
  CreateRootCaRequestSchema,
  type ImportCaCertificateRequest,
  ImportCaCertificateRequestSchema,
  PkiKeyTypeSchema,
  type RevokeCaRequest,
  RevokeCaRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { z } from 'zod';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { CaRevocationService, type CaRevocationView } from './ca-revocation.service';
import { type CaView, CertificateAuthoritiesService } from './certificate-authorities.service';
import { CrlService } from './crl.service';
import { actorOf } from './pki-actor.util';

const RotateOcspSignerSchema = z.strictObject({ keyType: PkiKeyTypeSchema.default('ecdsa-p256') });
const caRef = (_req: unknown, result?: unknown) => (result as CaView | undefined)?.id;

/** Certificate authorities of the caller's organization. */
@ApiTags('pki')
@Authenticated()
@Controller('pki/cas')
export class CertificateAuthoritiesController {
  constructor(
    private readonly cas: CertificateAuthoritiesService,
    private readonly crls: CrlService,
    private readonly revocations: CaRevocationService,
  ) {}

  @Post('root')
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary:
      'Create a root CA (key generated here, sealed by the master key) with its delegated OCSP signer and first CRL',
  })
  @ApiZodBody(CreateRootCaRequestSchema)
  @Audited({ action: 'ca.create', resourceType: 'certificate_authority', resourceRef: caRef })
  async createRoot(
    @ValidBody(CreateRootCaRequestSchema) body: CreateRootCaRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CaView> {
    const ca = await this.cas.createRoot(actorOf(request), body);
    await this.crls.publish(actorOf(request), ca.id, { moveBase: true });
    return ca;
  }

  @Post('intermediate')
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary:
      'Create an intermediate CA: signed by `parentId` (a CA we hold) or, without it, a pending CA whose CSR goes to an external root',
  })
  @ApiZodBody(CreateIntermediateCaRequestSchema)
  @Audited({ action: 'ca.create', resourceType: 'certificate_authority', resourceRef: caRef })
  async createIntermediate(
    @ValidBody(CreateIntermediateCaRequestSchema) body: CreateIntermediateCaRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CaView> {
    const ca = await this.cas.createIntermediate(actorOf(request), body);
    if (ca.status === 'active') await this.crls.publish(actorOf(request), ca.id, { moveBase: true });
    return ca;
  }

  @Post(':caId/certificate')
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary: "Import the certificate an external root issued for a pending intermediate's CSR",
  })
  @ApiParam({ name: 'caId' })
  @ApiZodBody(ImportCaCertificateRequestSchema)
  @Audited({
    action: 'ca.import',
    resourceType: 'certificate_authority',
    resourceRef: (req) => req.params?.caId,
  })
  async importCertificate(
    @Param('caId') caId: string,
    @ValidBody(ImportCaCertificateRequestSchema) body: ImportCaCertificateRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CaView> {
    const ca = await this.cas.importCertificate(actorOf(request), caId, body);
    await this.crls.publish(actorOf(request), ca.id, { moveBase: true });
    return ca;
  }

  @Post(':caId/ocsp-signer')
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary: 'Issue a new delegated OCSP signer certificate for the CA (rotation, or another key type)',
  })
  @ApiParam({ name: 'caId' })
  @ApiZodBody(RotateOcspSignerSchema)
  @Audited({
    action: 'ca.ocsp_signer.issue',
    resourceType: 'certificate_authority',
    resourceRef: (req) => req.params?.caId,
  })
  rotateOcspSigner(
    @Param('caId') caId: string,
    @ValidBody(RotateOcspSignerSchema) body: z.infer<typeof RotateOcspSignerSchema>,
    @Req() request: AuthenticatedRequest,
  ): Promise<CaView> {
    return this.cas.rotateOcspSigner(actorOf(request), caId, body.keyType);
  }

  @Post(':caId/revoke')
  @HttpCode(200)
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary:
      "Revoke a sub-CA: its certificate goes on the parent's CRL and OCSP answers revoked; the CA signs nothing more. " +
      'The answer reports (never revokes) what it issued that is still valid',
  })
  @ApiParam({ name: 'caId' })
  @ApiZodBody(RevokeCaRequestSchema)
  @Audited({
    action: 'ca.revoke',
    resourceType: 'certificate_authority',
    resourceRef: (req) => req.params?.caId,
  })
  revoke(
    @Param('caId') caId: string,
    @ValidBody(RevokeCaRequestSchema) body: RevokeCaRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CaRevocationView> {
    return this.revocations.revoke(actorOf(request), caId, body);
  }

  @Post(':caId/crl')
  @RequirePermission('pki:manage')
  @ApiOperation({ summary: 'Publish a new full CRL (and delta) now' })
  @ApiParam({ name: 'caId' })
  @Audited({
    action: 'crl.publish',
    resourceType: 'certificate_authority',
    resourceRef: (req) => req.params?.caId,
  })
  async publishCrl(
    @Param('caId') caId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<{ published: true }> {
    await this.cas.find(request.principal.organizationId, caId);
    await this.crls.publish(actorOf(request), caId, { moveBase: true });
    return { published: true };
  }

  @Get()
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: "List the organization's CAs" })
  list(@Req() request: AuthenticatedRequest): Promise<CaView[]> {
    return this.cas.list(request.principal.organizationId);
  }

  @Get(':caId')
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: 'A CA (with its CSR while pending)' })
  @ApiParam({ name: 'caId' })
  get(@Param('caId') caId: string, @Req() request: AuthenticatedRequest): Promise<CaView> {
    return this.cas.get(request.principal.organizationId, caId);
  }
}
