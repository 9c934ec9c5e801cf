import { certificateAltNames, parseCertificate } from '@mazevault/pki';

const URN_PREFIX = 'urn:mazevault:gateway:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The one name a gateway's client certificate carries. */
export function gatewayUrn(gatewayId: string): string {
  return URN_PREFIX + gatewayId;
}

/**
 * The gateway id a client certificate names, from its structured SAN (never from a string form of the
 * subject, which a CSR could shape): exactly one URI SAN, `urn:mazevault:gateway:<uuid>`, and no other
 * name; anything else → null.
 */
export function gatewayIdOf(certificateDer: Uint8Array): string | null {
  let names;
  try {
    names = certificateAltNames(parseCertificate(certificateDer));
  } catch {
    return null;
  }
  if (names.dns.length || names.ip.length || names.email.length || names.uri.length !== 1) return null;
  const uri = names.uri[0]!;
  if (!uri.startsWith(URN_PREFIX)) return null;
  const id = uri.slice(URN_PREFIX.length);
  return UUID.test(id) ? id : null;
}
