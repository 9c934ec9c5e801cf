import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { ProjectsModule } from '../projects/projects.module';
import { CaRevocationService } from './ca-revocation.service';
import { CertificateAuthoritiesController } from './certificate-authorities.controller';
import { CertificateAuthoritiesService } from './certificate-authorities.service';
import { CertificateProfilesController } from './certificate-profiles.controller';
import { CertificateProfilesService } from './certificate-profiles.service';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { CrlService } from './crl.service';
import { IssuanceWorkers } from './issuance-workers';
import { OcspSignerRenewalService } from './ocsp-signer-renewal.service';
import { PRIMARY_CONFIG } from '../config/primary.config';
import { PKI_CONFIG } from './pki.config';
import { PkiMetricsService } from './pki-metrics.service';
import { PkiPublicController } from './pki-public.controller';

/** The internal CA: CAs, profiles, issuance, revocation, CRLs (`/api/v1/pki/...`). OCSP is apps/ocsp-responder. */
@Module({
  imports: [KeysModule, ProjectsModule],
  controllers: [
    CertificateAuthoritiesController,
    CertificateProfilesController,
    CertificatesController,
    PkiPublicController,
  ],
  providers: [
    // The Primary's validated config is a PkiConfig (it spreads PKI_CONFIG_SHAPE).
    { provide: PKI_CONFIG, useExisting: PRIMARY_CONFIG },
    CertificateAuthoritiesService,
    CaRevocationService,
    CertificateProfilesService,
    CertificatesService,
    CrlService,
    IssuanceWorkers,
    OcspSignerRenewalService,
    PkiMetricsService,
  ],
  exports: [CertificateAuthoritiesService, CertificatesService, CrlService],
})
export class PkiModule {}
