import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@mazevault/rbac';
import { CertificateAuthoritiesService } from './certificate-authorities.service';
import { CrlService } from './crl.service';

/**
 * Stable public URLs embedded in certificates (AIA CA issuers, CRL distribution points). Relying
 * parties fetch them without credentials; everything served here is signed or public by nature.
 */
@ApiTags('pki')
@Public()
@Controller('pki')
export class PkiPublicController {
  constructor(
    private readonly cas: CertificateAuthoritiesService,
    private readonly crls: CrlService,
  ) {}

  @Get('ca/:caId')
  @Public()
  @Header('content-type', 'application/pkix-cert')
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'The CA certificate, DER (AIA id-ad-caIssuers)' })
  @ApiParam({ name: 'caId' })
  @ApiProduces('application/pkix-cert')
  async caDer(@Param('caId') caId: string): Promise<Buffer> {
    const row = await this.cas.find(null, caId);
    return row.certificateDer ?? Buffer.alloc(0);
  }

  @Get('ca/:caId/pem')
  @Public()
  @Header('content-type', 'application/x-pem-file')
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'The CA certificate, PEM' })
  @ApiParam({ name: 'caId' })
  async caPem(@Param('caId') caId: string): Promise<string> {
    return (await this.cas.find(null, caId)).certificatePem ?? '';
  }

  @Get('ca/:caId/chain')
  @Public()
  @Header('content-type', 'application/x-pem-file')
  @Header('cache-control', 'public, max-age=3600')
  @ApiOperation({ summary: 'The CA certificate and the chain above it, PEM, CA first' })
  @ApiParam({ name: 'caId' })
  chain(@Param('caId') caId: string): Promise<string> {
    return this.cas.chainPem(caId);
  }

  @Get('crl/:caId')
  @Public()
  @Header('content-type', 'application/pkix-crl')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'The latest full CRL, DER (CRL distribution point)' })
  @ApiParam({ name: 'caId' })
  @ApiProduces('application/pkix-crl')
  async crlDer(@Param('caId') caId: string): Promise<Buffer> {
    return (await this.crls.latest(caId, false)).der;
  }

  @Get('crl/:caId/pem')
  @Public()
  @Header('content-type', 'application/x-pem-file')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'The latest full CRL, PEM' })
  @ApiParam({ name: 'caId' })
  async crlPem(@Param('caId') caId: string): Promise<string> {
    return (await this.crls.latest(caId, false)).pem;
  }

  @Get('crl/:caId/delta')
  @Public()
  @Header('content-type', 'application/pkix-crl')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'The latest delta CRL, DER' })
  @ApiParam({ name: 'caId' })
  @ApiProduces('application/pkix-crl')
  async deltaDer(@Param('caId') caId: string): Promise<Buffer> {
    return (await this.crls.latest(caId, true)).der;
  }

  @Get('crl/:caId/delta/pem')
  @Public()
  @Header('content-type', 'application/x-pem-file')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'The latest delta CRL, PEM' })
  @ApiParam({ name: 'caId' })
  async deltaPem(@Param('caId') caId: string): Promise<string> {
    return (await this.crls.latest(caId, true)).pem;
  }
}
