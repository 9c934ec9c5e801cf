import {
  basicConstraintsExtension,
  computeValidity,
  cryptoKeySigner,
  EKU_OIDS,
  exportPkcs8,
  extensionDer,
  extKeyUsageExtension,
  generateKeyPair,
  keyUsageExtension,
  nameToDer,
  signCertificate,
  signerPublicKeyInfo,
  subjectAltNameExtension,
  subjectPublicKeyOf,
  systemClock,
} from '@mazevault/pki';
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway.config';
import { toPem } from '../identity/gateway-identity.store';

export interface ServerTls {
  cert: string;
  key: string;
  /** SHA-256 of the leaf certificate (DER), colon-separated hex like `openssl x509 -fingerprint -sha256`. */
  fingerprint: string;
}

/** A self-signed certificate only lives as long as the process; a restart makes a new one. */
const SELF_SIGNED_TTL_SECONDS = 90 * 86_400;

/**
 * The certificate of the gateway's own HTTPS listener: the mounted one (TLS_CERT_FILE/TLS_KEY_FILE,
 * from Helm), else a self-signed P-256 one made now, whose fingerprint is logged so an operator can
 * pin it (`curl -sk` as the seed does, or compare with `openssl s_client`).
 */
export async function serverTls(config: GatewayConfig, logger: Logger): Promise<ServerTls> {
  if (config.TLS_CERT_FILE && config.TLS_KEY_FILE) {
    const [cert, key] = await Promise.all([
      readFile(config.TLS_CERT_FILE, 'utf8'),
      readFile(config.TLS_KEY_FILE, 'utf8'),
    ]);
    const fingerprint = new X509Certificate(cert).fingerprint256;
    logger.info({ fingerprint }, `HTTPS certificate from ${config.TLS_CERT_FILE} (SHA-256 ${fingerprint})`);
    return { cert, key, fingerprint };
  }
  const generated = await selfSignedCertificate(['localhost'], ['127.0.0.1', '::1']);
  logger.info(
    { fingerprint: generated.fingerprint },
    `HTTPS certificate: self-signed P-256, SHA-256 fingerprint ${generated.fingerprint}`,
  );
  return generated;
}

export async function selfSignedCertificate(dns: string[], ip: string[]): Promise<ServerTls> {
  const pair = await generateKeyPair('ecdsa-p256');
  const signer = cryptoKeySigner(pair, 'ecdsa-p256');
  const issued = await signCertificate(
    {
      subject: nameToDer({ commonName: dns[0] ?? 'localhost' }),
      publicKey: subjectPublicKeyOf(await signerPublicKeyInfo(signer)),
      ...computeValidity({ clock: systemClock, maxTtlSeconds: SELF_SIGNED_TTL_SECONDS }),
      extensions: [
        basicConstraintsExtension(false),
        keyUsageExtension(['digitalSignature']),
        extKeyUsageExtension([EKU_OIDS.serverAuth]),
        subjectAltNameExtension({ dns, ip, uri: [], email: [] }, false),
      ].map(extensionDer),
    },
    { signer },
    {
      kind: 'leaf',
      maxValiditySeconds: SELF_SIGNED_TTL_SECONDS,
      allowedKeyUsages: ['digitalSignature'],
      allowedExtendedKeyUsages: [EKU_OIDS.serverAuth],
      requireSubjectAltName: true,
    },
  );
  const pkcs8 = new Uint8Array(await exportPkcs8(pair.privateKey));
  try {
    const fingerprint = createHash('sha256')
      .update(issued.der)
      .digest('hex')
      .toUpperCase()
      .match(/../g)!
      .join(':');
    return { cert: issued.pem, key: toPem(pkcs8), fingerprint };
  } finally {
    pkcs8.fill(0);
  }
}
