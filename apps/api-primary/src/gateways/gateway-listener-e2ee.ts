import {
  GATEWAY_E2EE_TTL_SECONDS,
  gatewayE2eeAudience,
  gatewayE2eeIssuer,
  GatewaySealedMessageSchema,
  PRIMARY_E2EE_ISSUER,
} from '@mazevault/contracts';
import {
  E2eeError,
  type E2eeKeys,
  type E2eePublicJwk,
  openMessageWithId,
  ReplayGuard,
  sealMessage,
} from '@mazevault/crypto';
import type { ProblemException } from '@mazevault/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the sealed request was opened: its answer is sealed back, bound to it. */
    e2ee?: { path: string; jti: string; sealed: boolean };
  }
}

export type DenyFn = (
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  gatewayId?: string,
) => Promise<ProblemException>;

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/**
 * End-to-end encryption on the gateway listener, below every route but registration, so a route
 * added later is sealed without knowing it: after the client certificate authenticated the gateway,
 * the body `{jwe}` is opened — signed by THAT gateway's E2EE key (another gateway's signature is
 * refused), for this route as a request, fresh and never seen — and the handler gets the inner JSON
 * as `request.body`. Its 2xx answer is signed by the Primary and encrypted to that gateway, bound to
 * the request's jti. problem+json errors stay plain: they carry codes, never secrets. Default deny: a
 * 2xx that somehow was not sealed is not sent.
 */
export function installSealedTransport(
  server: FastifyInstance,
  keys: () => Promise<E2eeKeys>,
  deny: DenyFn,
): void {
  const replayGuard = new ReplayGuard();

  server.addHook('preHandler', async (request) => {
    // No route (404) reads no body; registration is the one unsealed route (keys are exchanged there).
    if (request.is404 || request.routeOptions.config.withoutClientCertificate) return;
    const gateway = request.gateway!;
    const sealed = GatewaySealedMessageSchema.safeParse(request.body);
    if (!sealed.success)
      throw await deny(
        request,
        400,
        'e2ee_invalid',
        'The body must be a sealed message {"jwe": …}',
        gateway.id,
      );
    if (!gateway.e2eeSigningJwk)
      throw await deny(
        request,
        401,
        'e2ee_invalid',
        'This gateway has no E2EE keys: enroll it again',
        gateway.id,
      );
    const path = pathOf(request);
    const primary = await keys();
    try {
      const opened = await openMessageWithId(sealed.data.jwe, {
        decryptionKey: primary.encryption.privateJwk,
        senderSigningJwk: gateway.e2eeSigningJwk as unknown as E2eePublicJwk,
        expectedIssuer: gatewayE2eeIssuer(gateway.id),
        expectedAudience: gatewayE2eeAudience(path, 'request', gateway.id),
        replayGuard,
      });
      request.e2ee = { path, jti: opened.jti, sealed: false };
      request.body = opened.message;
    } catch (error) {
      if (!(error instanceof E2eeError)) throw error;
      throw await deny(request, 401, error.code, error.message, gateway.id);
    }
  });

  server.addHook('preSerialization', async (request, reply, payload) => {
    if (!request.e2ee || reply.statusCode >= 300) return payload;
    const primary = await keys();
    const gateway = request.gateway!;
    const { jwe } = await sealMessage(payload, {
      senderId: PRIMARY_E2EE_ISSUER,
      signingKey: primary.signing.privateJwk,
      recipientEncryptionJwk: gateway.e2eeEncryptionJwk as unknown as E2eePublicJwk,
      audience: gatewayE2eeAudience(request.e2ee.path, 'response', gateway.id),
      ttlSeconds: GATEWAY_E2EE_TTL_SECONDS,
      inReplyTo: request.e2ee.jti,
    });
    request.e2ee.sealed = true;
    return { jwe };
  });

  server.addHook('onSend', async (request, reply, payload) => {
    if (request.e2ee && reply.statusCode < 300 && !request.e2ee.sealed && payload != null && payload !== '')
      throw new Error('refusing to send an unsealed answer to a sealed request');
    return payload;
  });
}
