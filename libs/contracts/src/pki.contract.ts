import { z } from 'zod';
import { plainText } from './text.schema';

/** PKI wire contracts (`/api/v1/pki/...`). Policy lives in libs/pki; these only shape the requests. */
export const PKI_KEY_TYPES = [
  'ecdsa-p256',
  'ecdsa-p384',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ed25519',
] as const;
export const PkiKeyTypeSchema = z.enum(PKI_KEY_TYPES);

/**
 * RFC 5280 5.3.1 CRLReason names (removeFromCRL is only meaningful in delta CRLs, so not accepted here).
 * certificateHold parses but the service refuses it (`certificate_hold_not_supported`): revocation is final.
 */
export const PKI_REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

/** Redis pub/sub channel on which the Primary announces revocations (`<caId>:<serial>`) to OCSP responders. */
export const OCSP_INVALIDATION_CHANNEL = 'mazevault:ocsp:invalidate';

/**
 * The channel under a deployment's Redis key prefix: Redis does not prefix pub/sub channels the way
 * a client's keyPrefix prefixes keys, so deployments (and test suites) sharing a Redis would otherwise
 * hear each other's revocations.
 */
export function ocspInvalidationChannel(keyPrefix = ''): string {
  return keyPrefix + OCSP_INVALIDATION_CHANNEL;
}

export const PkiSubjectSchema = z.strictObject({
  commonName: plainText(1, 64),
  organization: plainText(1, 64).optional(),
  organizationalUnit: plainText(1, 64).optional(),
  country: plainText(2, 2).optional(),
  state: plainText(1, 128).optional(),
  locality: plainText(1, 128).optional(),
});

const NameConstraintsSchema = z.strictObject({
  permittedDns: z.array(plainText(1, 253)).max(100).optional(),
  excludedDns: z.array(plainText(1, 253)).max(100).optional(),
});

const TtlSchema = z
  .number()
  .int()
  .min(60)
  .max(30 * 365 * 24 * 3600);

export const CreateRootCaRequestSchema = z.strictObject({
  name: plainText(1, 200),
  subject: PkiSubjectSchema,
  keyType: PkiKeyTypeSchema.default('ecdsa-p256'),
  ttlSeconds: TtlSchema.default(10 * 365 * 24 * 3600),
  pathLength: z.number().int().min(0).max(10).optional(),
  nameConstraints: NameConstraintsSchema.optional(),
  /** Key type of the delegated OCSP signer; `none` = the CA key signs OCSP responses itself. */
  ocspSignerKeyType: z.union([PkiKeyTypeSchema, z.literal('none')]).default('ecdsa-p256'),
});
export type CreateRootCaRequest = z.infer<typeof CreateRootCaRequestSchema>;

export const CreateIntermediateCaRequestSchema = CreateRootCaRequestSchema.extend({
  /** A CA we hold signs it; without it the response carries a CSR for an external root (status `pending`). */
  parentId: z.uuid().optional(),
  ttlSeconds: TtlSchema.default(5 * 365 * 24 * 3600),
});
export type CreateIntermediateCaRequest = z.infer<typeof CreateIntermediateCaRequestSchema>;

export const ImportCaCertificateRequestSchema = z.strictObject({
  certificate: z
    .string()
    .min(1)
    .max(64 * 1024),
  /** PEM chain above it, issuer first. */
  chain: z
    .string()
    .max(256 * 1024)
    .optional(),
});
export type ImportCaCertificateRequest = z.infer<typeof ImportCaCertificateRequestSchema>;

const SanTypeSchema = z.enum(['dns', 'ip', 'uri', 'email']);
const KeyUsageSchema = z.enum([
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
]);
/** timeStamping, ocspSigning and anyExtendedKeyUsage parse so that policy can refuse them by name (`eku_reserved`). */
const EkuSchema = z.enum([
  'serverAuth',
  'clientAuth',
  'codeSigning',
  'emailProtection',
  'timeStamping',
  'ocspSigning',
  'anyExtendedKeyUsage',
]);
/** Dotted OIDs (policy decides which arcs are valid). */
const PolicyOidSchema = z
  .string()
  .min(3)
  .max(128)
  .regex(/^[0-9]+(\.[0-9]+)+$/, { message: 'a dotted OID' });

export const ProfileDefinitionSchema = z.strictObject({
  allowedDomains: z.array(plainText(1, 253)).max(1000).optional(),
  excludedDomains: z.array(plainText(1, 253)).max(1000).optional(),
  allowBareDomains: z.boolean().optional(),
  allowSubdomains: z.boolean().optional(),
  allowWildcards: z.boolean().optional(),
  allowedSanTypes: z.array(SanTypeSchema).max(4).optional(),
  allowedIpRanges: z.array(plainText(1, 64)).max(100).optional(),
  allowedUriSchemes: z.array(plainText(1, 32)).max(20).optional(),
  allowedKeyTypes: z
    .array(z.enum(['ecdsa', 'rsa', 'ed25519']))
    .max(3)
    .optional(),
  minRsaBits: z.number().int().min(2048).max(8192).optional(),
  minEcdsaBits: z.number().int().min(256).max(521).optional(),
  maxTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 24 * 3600),
  keyUsages: z.array(KeyUsageSchema).max(9).optional(),
  extendedKeyUsages: z.array(EkuSchema).max(7).optional(),
  subjectTemplate: z
    .strictObject({
      fixed: PkiSubjectSchema.omit({ commonName: true }).partial().optional(),
      commonName: z.enum(['from-request', 'first-dns-san', 'omit']).optional(),
    })
    .optional(),
  /** `dns`: the CN is a DNS name / IP checked like a SAN (default with serverAuth); `text`: a person's or service's name (default otherwise). */
  commonNameFormat: z.enum(['dns', 'text']).optional(),
  requireSubjectAltName: z.boolean().optional(),
  /** Certificate policy OIDs written into a certificatePolicies extension. */
  policyOids: z.array(PolicyOidSchema).max(20).optional(),
});
export type ProfileDefinition = z.infer<typeof ProfileDefinitionSchema>;

export const CreateProfileRequestSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'letters, digits, ".", "_", "-"' }),
  caId: z.uuid(),
  /** Scope the profile to a project (id or slug): its project admins may then issue under it and revoke what it issued. */
  projectId: plainText(1, 63).optional(),
  definition: ProfileDefinitionSchema,
});
export type CreateProfileRequest = z.infer<typeof CreateProfileRequestSchema>;

export const UpdateProfileRequestSchema = z.strictObject({ definition: ProfileDefinitionSchema });
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequestSchema>;

const AltNamesSchema = z.strictObject({
  dns: z.array(plainText(1, 253)).max(100).optional(),
  ip: z.array(plainText(1, 64)).max(100).optional(),
  uri: z.array(plainText(1, 2048)).max(100).optional(),
  email: z.array(plainText(1, 320)).max(100).optional(),
});

export const IssueCertificateRequestSchema = z.strictObject({
  profile: plainText(1, 200),
  /** For a project-scoped profile: the environment (id or slug) the certificate is for; a caller bound to that environment only may then issue. */
  environment: plainText(1, 63).optional(),
  commonName: plainText(1, 253).optional(),
  altNames: AltNamesSchema.optional(),
  keyType: PkiKeyTypeSchema.default('ecdsa-p256'),
  ttlSeconds: z.number().int().min(60).optional(),
});
export type IssueCertificateRequest = z.infer<typeof IssueCertificateRequestSchema>;

export const SignCsrRequestSchema = z.strictObject({
  profile: plainText(1, 200),
  /** For a project-scoped profile: the environment (id or slug) the certificate is for; a caller bound to that environment only may then issue. */
  environment: plainText(1, 63).optional(),
  csr: z
    .string()
    .min(1)
    .max(64 * 1024),
  commonName: plainText(1, 253).optional(),
  altNames: AltNamesSchema.optional(),
  ttlSeconds: z.number().int().min(60).optional(),
});
export type SignCsrRequest = z.infer<typeof SignCsrRequestSchema>;

export const RenewCertificateRequestSchema = z.strictObject({
  /** `renew` keeps the key; `rekey` uses the CSR's key or generates one of `keyType`. */
  mode: z.enum(['renew', 'rekey']).default('renew'),
  csr: z
    .string()
    .min(1)
    .max(64 * 1024)
    .optional(),
  keyType: PkiKeyTypeSchema.optional(),
  ttlSeconds: z.number().int().min(60).optional(),
});
export type RenewCertificateRequest = z.infer<typeof RenewCertificateRequestSchema>;

export const RevokeCertificateRequestSchema = z.strictObject({
  reason: z.enum(PKI_REVOCATION_REASONS).default('unspecified'),
});
export type RevokeCertificateRequest = z.infer<typeof RevokeCertificateRequestSchema>;

/**
 * Revoking a sub-CA: a reason is required. `certificateHold` is not offered (a CA's revocation is
 * final here), nor `aACompromise` (attribute authorities only).
 */
export const PKI_CA_REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;

export const RevokeCaRequestSchema = z.strictObject({
  reason: z.enum(PKI_CA_REVOCATION_REASONS),
});
export type RevokeCaRequest = z.infer<typeof RevokeCaRequestSchema>;
