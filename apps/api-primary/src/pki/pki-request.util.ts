import type { CertificateEntity } from '@mazevault/persistence';
import type { ResolvedProfile } from './certificate-profiles.service';

/**
 * What the policy guard's resolvers read for a request (the profile named in the body, the certificate
 * named in the path), kept for the handler: each is resolved once per request, and the handler acts on
 * exactly what was authorized. Keyed by the request object; gone with it.
 */
const profiles = new WeakMap<object, ResolvedProfile>();
const certificates = new WeakMap<object, CertificateEntity>();

export function rememberProfile(request: object, resolved: ResolvedProfile): void {
  profiles.set(request, resolved);
}

export function resolvedProfileOf(request: object): ResolvedProfile | undefined {
  return profiles.get(request);
}

export function rememberCertificate(request: object, certificate: CertificateEntity): void {
  certificates.set(request, certificate);
}

export function resolvedCertificateOf(request: object): CertificateEntity | undefined {
  return certificates.get(request);
}
