import { type GatewayRegisterResponse, GatewayRegisterResponseSchema } from '@mazevault/contracts';
import { generateE2eeKeys, sha256Hex } from '@mazevault/crypto';
import { createCsr, exportPkcs8, generateKeyPair, signerFromPkcs8 } from '@mazevault/pki';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway.config';
import { callPrimary, fetchPinnedCa } from '../primary/primary-client';
import { type GatewayIdentity, type GatewayIdentityStore, toPem } from './gateway-identity.store';

/** Start-up cannot continue (no identity and no usable token): main.ts exits with EX_CONFIG. */
export class EnrollmentError extends Error {}

/**
 * The gateway's identity: the stored one (a restart needs no token), else a new one — a fresh key
 * (it never leaves the gateway), a CSR, and registration with the one-time token over TLS pinned to
 * the platform CA whose fingerprint the token carries.
 */
export async function ensureIdentity(
  config: GatewayConfig,
  store: GatewayIdentityStore,
  logger: Logger,
): Promise<GatewayIdentity> {
  const stored = await store.load();
  const token = config.GATEWAY_BOOTSTRAP_TOKEN;
  if (stored) {
    const expired = stored.notAfter.getTime() <= Date.now();
    // A token other than the one this identity was enrolled with is an operator's "enroll again" (a
    // revoked certificate); the same token left in the environment is not (it is spent anyway).
    const sameToken = token !== undefined && stored.bootstrapTokenHash === sha256Hex(token);
    const newToken = token !== undefined && stored.bootstrapTokenHash !== null && !sameToken;
    if (!expired && !newToken) {
      logger.info({ gatewayId: stored.gatewayId }, `Using stored gateway identity: ${stored.gatewayId}`);
      logger.info('Setting up mTLS...');
      return stored;
    }
    if (expired && (!token || sameToken))
      throw new EnrollmentError(
        `gateway certificate expired at ${stored.notAfter.toISOString()}; set GATEWAY_BOOTSTRAP_TOKEN from POST /api/v1/gateways/${stored.gatewayId}/bootstrap to re-enroll`,
      );
    logger.info(
      { gatewayId: stored.gatewayId },
      expired
        ? `gateway certificate expired at ${stored.notAfter.toISOString()}; re-enrolling with the new GATEWAY_BOOTSTRAP_TOKEN`
        : 'a new GATEWAY_BOOTSTRAP_TOKEN is set: re-enrolling',
    );
  }
  if (!token)
    throw new EnrollmentError(
      'No stored gateway identity and no GATEWAY_BOOTSTRAP_TOKEN: create one with POST /api/v1/gateways/bootstrap on the Primary',
    );
  logger.info('Registering gateway with primary...');
  const fingerprint = token.slice(token.lastIndexOf('.') + 1);
  const platformCaPem = await fetchPinnedCa(
    config.PRIMARY_BACKEND_URL,
    fingerprint,
    config.PRIMARY_TIMEOUT_MS,
  );
  const pair = await generateKeyPair('ecdsa-p256');
  // Apart from the TLS key: whoever terminates TLS still can neither read nor forge sealed messages.
  const e2ee = await generateE2eeKeys();
  const pkcs8 = new Uint8Array(await exportPkcs8(pair.privateKey));
  try {
    const csr = await createCsr({ signer: await signerFromPkcs8(pkcs8), subject: {} });
    const answer = await callPrimary<GatewayRegisterResponse & { code?: string; detail?: string }>(
      config.PRIMARY_BACKEND_URL,
      '/api/v1/gateways/register',
      {
        token,
        csr: csr.pem,
        version: config.MAZEVAULT_VERSION,
        e2ee: { signing: e2ee.signing.publicJwk, encryption: e2ee.encryption.publicJwk },
      },
      { ca: platformCaPem },
      config.PRIMARY_TIMEOUT_MS,
    );
    if (answer.status !== 201) {
      throw new EnrollmentError(
        `Registration refused by the Primary (${answer.status} ${answer.body?.code ?? ''}): ${answer.body?.detail ?? 'no detail'}`,
      );
    }
    const parsed = GatewayRegisterResponseSchema.safeParse(answer.body);
    if (!parsed.success)
      throw new EnrollmentError('The Primary answered the registration with an unexpected body');
    const registered = parsed.data;
    if (
      registered.environment !== config.MAZEVAULT_GATEWAY_ENVIRONMENT ||
      registered.role !== config.MAZEVAULT_GATEWAY_ROLE
    ) {
      // The Primary's record wins: it decides what this gateway may see. Said loudly, not silently.
      logger.warn(
        { primary: { environment: registered.environment, role: registered.role } },
        `The Primary enrolled this gateway as ${registered.environment}/${registered.role}, not ${config.MAZEVAULT_GATEWAY_ENVIRONMENT}/${config.MAZEVAULT_GATEWAY_ROLE}`,
      );
    }
    logger.info('Setting up mTLS...');
    const identity = {
      gatewayId: registered.gatewayId,
      certificatePem: registered.certificatePem,
      platformCaPem,
      notAfter: new Date(registered.notAfter),
      e2ee,
      primaryE2ee: registered.primaryE2ee,
      bootstrapTokenHash: sha256Hex(token),
    };
    await store.save(identity, pkcs8);
    logger.info({ gatewayId: identity.gatewayId }, `Gateway registered successfully: ${identity.gatewayId}`);
    return { ...identity, privateKeyPem: toPem(pkcs8) };
  } finally {
    pkcs8.fill(0);
  }
}
