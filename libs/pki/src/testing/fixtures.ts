import { CertificateAuthority, createIntermediateCa, createRootCa } from '../certificate-authority';
import { Clock } from '../clock';
import { KeyType } from '../key-type';
import { testSigner } from './test-keys';

export const DAY = 24 * 3600;

/** Root (pathLen 1) → intermediate (pathLen 0), both on cached test keys. */
export async function testHierarchy(
  clock: Clock,
  options: {
    keyType?: KeyType;
    label?: string;
    nameConstraints?: { permittedDns?: string[]; excludedDns?: string[] };
  } = {},
): Promise<{ root: CertificateAuthority; intermediate: CertificateAuthority }> {
  const keyType = options.keyType ?? 'ecdsa-p256';
  const label = options.label ?? 'hierarchy';
  const root = await createRootCa({
    signer: await testSigner(keyType, `${label}-root`),
    subject: { country: 'CZ', organization: 'MazeVault Test', commonName: `${label} Root CA` },
    ttlSeconds: 3650 * DAY,
    pathLength: 1,
    clock,
  });
  const intermediate = await createIntermediateCa(root.ca, {
    signer: await testSigner(keyType, `${label}-intermediate`),
    subject: { organization: 'MazeVault Test', commonName: `${label} Issuing CA` },
    ttlSeconds: 1825 * DAY,
    clock,
    ...(options.nameConstraints && { nameConstraints: options.nameConstraints }),
    urls: { crlDistributionPoints: ['http://pki.test/root.crl'] },
  });
  return { root: root.ca, intermediate: intermediate.ca };
}
