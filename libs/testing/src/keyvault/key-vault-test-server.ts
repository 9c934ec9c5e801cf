import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestTlsMaterial, type TestTlsMaterial } from './test-certificate-authority';

/**
 * An in-memory Azure Key Vault *secrets* endpoint speaking the real REST API over HTTPS, so the real
 * `@azure/keyvault-secrets` SDK (challenge auth, paging, pollers, error parsing) runs unmodified in tests.
 *
 * Modelled on the service's documented behaviour:
 * - every request without a bearer token gets 401 + `WWW-Authenticate: Bearer authorization=..., resource=...`
 *   (the SDK sends its first request without a body and a token, and learns tenant and scope from it);
 * - secret names are `[0-9a-zA-Z-]{1,127}` and case-insensitive; versions are 32 hex characters;
 * - soft delete: DELETE moves the secret to `deletedsecrets` (Recoverable+Purgeable, 90 days), a PUT on
 *   that name is refused with 409 `Conflict`/`ObjectIsDeletedButRecoverable` until it is recovered or purged;
 * - errors have the service's shape `{ error: { code, message, innererror? } }`;
 * - lists are paged with `nextLink` (page size = min(`maxresults`, the server's `pageSize`)).
 * Failures (403, 429 + Retry-After, 5xx) and latency are injectable per test with {@link failNext} and
 * {@link stallNext}.
 */

export interface KeyVaultTestServerOptions {
  /** Tenant announced in the challenge; the SDK passes it to `getToken`. */
  tenantId?: string;
  /** Bearer tokens accepted; any other token gets 401. Default: `['test-token']`. */
  acceptedTokens?: string[];
  /** Maximum items per list page (small by default so paging is exercised). */
  pageSize?: number;
  tls?: TestTlsMaterial;
  /**
   * The app registration the token endpoint accepts (client-credentials grant), so a real
   * `ClientSecretCredential` can be pointed at this server with `authorityHost: server.url`.
   */
  client?: { clientId: string; clientSecret: string };
  /**
   * A workload (federated) identity the token endpoint accepts: the client-assertion grant that
   * @azure/identity's WorkloadIdentityCredential — and ManagedIdentityCredential in AKS, with
   * AZURE_FEDERATED_TOKEN_FILE/AZURE_TENANT_ID/AZURE_AUTHORITY_HOST — sends with the content of the
   * projected service-account token file as `client_assertion`.
   */
  federated?: { clientId: string; assertion: string };
}

/** One call to the token endpoint, as the server judged it (for tests that assert the grant used). */
export interface TokenRequest {
  clientId: string | null;
  grant: 'client_secret' | 'client_assertion' | 'unsupported';
  granted: boolean;
}

export const CLIENT_ASSERTION_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface InjectedFailure {
  status: number;
  /** How many matching requests fail (default 1; `Infinity` for a permanent failure). */
  times?: number;
  /** Sent as the `Retry-After` header (seconds), typically with 429 or 503. */
  retryAfterSeconds?: number;
  /** Only requests whose path (without query) matches: a substring or a RegExp. */
  path?: string | RegExp;
  method?: string;
  /** Error code in the body; defaults to the service's code for the status. */
  code?: string;
  message?: string;
}

export interface InjectedStall {
  /** Delay before the request is processed (a hung backend, for client timeouts). */
  ms: number;
  times?: number;
  path?: string | RegExp;
  method?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  authorized: boolean;
  /** Error code returned, if any (`Throttled`, `SecretNotFound`...). */
  errorCode?: string;
}

interface StoredVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

interface StoredSecret {
  name: string;
  /** Oldest first; the last one is the "latest" version. */
  versions: StoredVersion[];
}

interface DeletedSecret extends StoredSecret {
  deletedDate: number;
  scheduledPurgeDate: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
const RECOVERY_LEVEL = 'Recoverable+Purgeable';
const RECOVERABLE_DAYS = 90;
const DEFAULT_ERROR_CODES: Record<number, string> = {
  400: 'BadParameter',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'Throttled',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

const now = () => Math.floor(Date.now() / 1000);

function matches(rule: { path?: string | RegExp; method?: string }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

export class KeyVaultTestServer {
  /** Base URL of the vault, e.g. `https://127.0.0.1:41234` (what SecretClient takes as `vaultUrl`). */
  readonly url: string;
  /** The CA certificate the client must trust. */
  readonly caPem: string;
  readonly tenantId: string;
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  pageSize: number;

  private readonly acceptedTokens: Set<string>;
  private readonly client: { clientId: string; clientSecret: string };
  private readonly federated: { clientId: string; assertion: string } | undefined;
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly deleted = new Map<string, DeletedSecret>();
  private failures: (InjectedFailure & { remaining: number })[] = [];
  private stalls: (InjectedStall & { remaining: number })[] = [];

  private constructor(
    private readonly server: Server,
    options: Required<
      Pick<KeyVaultTestServerOptions, 'tenantId' | 'acceptedTokens' | 'pageSize' | 'client'>
    > &
      Pick<KeyVaultTestServerOptions, 'federated'>,
    tls: TestTlsMaterial,
  ) {
    this.federated = options.federated;
    const { port } = server.address() as AddressInfo;
    this.url = `https://127.0.0.1:${port}`;
    this.caPem = tls.caPem;
    this.tenantId = options.tenantId;
    this.acceptedTokens = new Set(options.acceptedTokens);
    this.client = options.client;
    this.pageSize = options.pageSize;
  }

  static async start(options: KeyVaultTestServerOptions = {}): Promise<KeyVaultTestServer> {
    const tls = options.tls ?? createTestTlsMaterial();
    const server = createServer({ key: tls.keyPem, cert: tls.certPem });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const instance = new KeyVaultTestServer(
      server,
      {
        tenantId: options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47',
        acceptedTokens: options.acceptedTokens ?? ['test-token'],
        pageSize: options.pageSize ?? 2,
        client: options.client ?? { clientId: 'test-client-id', clientSecret: 'test-client-secret' },
        ...(options.federated ? { federated: options.federated } : {}),
      },
      tls,
    );
    server.on('request', (req, res) => void instance.handle(req, res));
    return instance;
  }

  async stop(): Promise<void> {
    this.stalls = [];
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // The SDK keeps connections alive; without this, close() waits for them to time out.
      this.server.closeAllConnections();
    });
  }

  /** Makes the next matching (authenticated) request(s) fail with `status`. */
  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, remaining: failure.times ?? 1 });
  }

  /** Delays the next matching request(s) by `ms` before processing them. */
  stallNext(stall: InjectedStall): void {
    this.stalls.push({ ...stall, remaining: stall.times ?? 1 });
  }

  /** Clears data, injected failures, stalls and the request log. */
  reset(): void {
    this.secrets.clear();
    this.deleted.clear();
    this.failures = [];
    this.stalls = [];
    this.requests.length = 0;
  }

  /** Test-side inspection, bypassing HTTP: the stored value of the latest (or given) version. */
  peek(
    name: string,
    version?: string,
  ): { value: string; contentType?: string; tags?: Record<string, string> } | undefined {
    const secret = this.secrets.get(name.toLowerCase());
    const v = version ? secret?.versions.find((x) => x.version === version) : secret?.versions.at(-1);
    return (
      v && {
        value: v.value,
        ...(v.contentType ? { contentType: v.contentType } : {}),
        ...(v.tags ? { tags: v.tags } : {}),
      }
    );
  }

  /** Names as stored (active secrets only). */
  names(): string[] {
    return [...this.secrets.values()].map((s) => s.name);
  }

  /** Requests that reached the API (authenticated, excluding the 401 challenge round-trips). */
  apiRequests(filter: { method?: string; path?: string | RegExp } = {}): RecordedRequest[] {
    return this.requests.filter((r) => r.authorized && matches(filter, r.method, r.path));
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = { method, path, query, status: 0, authorized: false };
    this.requests.push(record);
    try {
      const raw = await readRawBody(req);
      const identity = this.identityEndpoint(method, path, raw);
      if (identity) {
        record.status = identity.status;
        send(res, identity.status, identity.body, {});
        return;
      }
      this.authenticate(req);
      const body = parseJsonBody(raw);
      record.authorized = true;
      await this.applyStall(method, path);
      this.applyInjectedFailure(method, path);
      if (!query['api-version'])
        throw new HttpError(400, 'BadParameter', 'The request URI contains an invalid api-version.');
      const result = this.route(method, path, query, body);
      record.status = result.status;
      send(res, result.status, result.body, {});
    } catch (error) {
      const e =
        error instanceof HttpError
          ? error
          : new HttpError(500, 'InternalServerError', 'test server failure: ' + (error as Error).message);
      record.status = e.status;
      record.errorCode = e.code;
      const payload: Record<string, unknown> = { code: e.code, message: e.message };
      if (e.innerCode) payload['innererror'] = { code: e.innerCode };
      send(res, e.status, { error: payload }, e.headers);
    }
  }

  /**
   * The two Entra ID (v2.0) endpoints a client-credentials credential calls: OpenID metadata, then the
   * token endpoint. Tokens issued are the ones the vault accepts.
   */
  private identityEndpoint(
    method: string,
    path: string,
    body: string,
  ): { status: number; body: unknown } | undefined {
    const prefix = `/${this.tenantId}`;
    if (method === 'GET' && path === `${prefix}/v2.0/.well-known/openid-configuration`) {
      return {
        status: 200,
        body: {
          issuer: `${this.url}${prefix}/v2.0`,
          authorization_endpoint: `${this.url}${prefix}/oauth2/v2.0/authorize`,
          token_endpoint: `${this.url}${prefix}/oauth2/v2.0/token`,
          jwks_uri: `${this.url}${prefix}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid'],
          tenant_region_scope: 'WW',
        },
      };
    }
    if (method === 'POST' && path === `${prefix}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      const clientId = form.get('client_id');
      const assertionType = form.get('client_assertion_type');
      const grant =
        form.get('grant_type') !== 'client_credentials'
          ? 'unsupported'
          : assertionType !== null
            ? 'client_assertion'
            : 'client_secret';
      const answer = this.tokenAnswer(grant, form);
      this.tokenRequests.push({ clientId, grant, granted: answer.status === 200 });
      return answer;
    }
    return undefined;
  }

  /** The token endpoint's verdict: a client secret, or a federated assertion (workload identity). */
  private tokenAnswer(
    grant: TokenRequest['grant'],
    form: URLSearchParams,
  ): { status: number; body: unknown } {
    const refuse = (status: number, error: string, description: string) => ({
      status,
      body: { error, error_description: description },
    });
    if (grant === 'unsupported')
      return refuse(400, 'unsupported_grant_type', 'AADSTS70003: only client_credentials here');
    if (grant === 'client_assertion') {
      if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE_JWT_BEARER)
        return refuse(400, 'invalid_request', 'AADSTS50027: invalid client_assertion_type');
      if (
        !this.federated ||
        form.get('client_id') !== this.federated.clientId ||
        !sameSecret(form.get('client_assertion') ?? '', this.federated.assertion)
      )
        return refuse(
          401,
          'invalid_client',
          'AADSTS70021: No matching federated identity record found for presented assertion.',
        );
    } else if (
      form.get('client_id') !== this.client.clientId ||
      !sameSecret(form.get('client_secret') ?? '', this.client.clientSecret)
    ) {
      return refuse(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: [...this.acceptedTokens][0],
      },
    };
  }

  private authenticate(req: IncomingMessage): void {
    const challenge = {
      'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="https://vault.azure.net"`,
    };
    const header = req.headers.authorization;
    if (!header)
      throw new HttpError(
        401,
        'Unauthorized',
        'AKV10000: Request is missing a Bearer or PoP token.',
        undefined,
        challenge,
      );
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || !this.acceptedTokens.has(token)) {
      throw new HttpError(401, 'Unauthorized', 'AKV10032: Invalid issuer or token.', undefined, challenge);
    }
  }

  private async applyStall(method: string, path: string): Promise<void> {
    const stall = this.stalls.find((s) => s.remaining > 0 && matches(s, method, path));
    if (!stall) return;
    stall.remaining--;
    await new Promise((resolve) => setTimeout(resolve, stall.ms));
  }

  private applyInjectedFailure(method: string, path: string): void {
    const failure = this.failures.find((f) => f.remaining > 0 && matches(f, method, path));
    if (!failure) return;
    failure.remaining--;
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.retryAfterSeconds);
    const code = failure.code ?? DEFAULT_ERROR_CODES[failure.status] ?? 'Error';
    const message =
      failure.message ??
      (failure.status === 403
        ? 'Caller is not authorized to perform action on resource. (injected)'
        : failure.status === 429
          ? 'Rate limit is exceeded. Try again later. (injected)'
          : `Injected failure ${failure.status}`);
    const inner = failure.status === 403 ? 'ForbiddenByRbac' : undefined;
    throw new HttpError(failure.status, code, message, inner, headers);
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): { status: number; body?: unknown } {
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    const [collection, name, third] = segments;
    if (collection === 'secrets') {
      if (segments.length === 1 || (segments.length === 2 && name === '')) {
        if (method === 'GET') return { status: 200, body: this.listSecrets(query) };
      } else if (segments.length === 2) {
        if (method === 'PUT') return { status: 200, body: this.setSecret(name, body) };
        if (method === 'DELETE') return { status: 200, body: this.deleteSecret(name) };
        if (method === 'GET') return { status: 200, body: this.getSecret(name, '') };
        if (method === 'PATCH') return { status: 200, body: this.updateSecret(name, '', body) };
      } else if (segments.length === 3 && third === 'versions' && method === 'GET') {
        return { status: 200, body: this.listVersions(name, query) };
      } else if (segments.length === 3 && third === 'backup') {
        throw new HttpError(501, 'NotImplemented', 'backup is not supported by the test server');
      } else if (segments.length === 3) {
        if (method === 'GET') return { status: 200, body: this.getSecret(name, third) };
        if (method === 'PATCH') return { status: 200, body: this.updateSecret(name, third, body) };
      }
    } else if (collection === 'deletedsecrets') {
      if (segments.length === 1 && method === 'GET') return { status: 200, body: this.listDeleted(query) };
      if (segments.length === 2 && method === 'GET')
        return { status: 200, body: this.deletedBundle(this.findDeleted(name)) };
      if (segments.length === 2 && method === 'DELETE') {
        this.purge(name);
        return { status: 204 };
      }
      if (segments.length === 3 && third === 'recover' && method === 'POST')
        return { status: 200, body: this.recover(name) };
    }
    throw new HttpError(405, 'BadParameter', `Unsupported operation ${method} ${path}`);
  }

  // --- operations -------------------------------------------------------------------------------

  private setSecret(name: string, body: unknown): unknown {
    if (!NAME_PATTERN.test(name)) {
      throw new HttpError(400, 'BadParameter', 'The request URI contains an invalid name: ' + name);
    }
    const b = (body ?? {}) as {
      value?: unknown;
      contentType?: string;
      tags?: Record<string, string>;
      attributes?: Record<string, unknown>;
    };
    if (typeof b.value !== 'string') throw new HttpError(400, 'BadParameter', 'Property value is required.');
    validateTags(b.tags);
    const key = name.toLowerCase();
    if (this.deleted.has(key)) {
      throw new HttpError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    const t = now();
    const attrs = b.attributes ?? {};
    const version: StoredVersion = {
      version: randomBytes(16).toString('hex'),
      value: b.value,
      enabled: attrs['enabled'] === undefined ? true : Boolean(attrs['enabled']),
      created: t,
      updated: t,
      ...(b.contentType !== undefined ? { contentType: b.contentType } : {}),
      ...(b.tags !== undefined ? { tags: { ...b.tags } } : {}),
      ...(typeof attrs['nbf'] === 'number' ? { nbf: attrs['nbf'] } : {}),
      ...(typeof attrs['exp'] === 'number' ? { exp: attrs['exp'] } : {}),
    };
    const secret = this.secrets.get(key) ?? { name, versions: [] };
    secret.versions.push(version);
    this.secrets.set(key, secret);
    return this.bundle(secret, version, true);
  }

  private getSecret(name: string, version: string): unknown {
    const secret = this.findSecret(name);
    const v = this.findVersion(secret, version);
    if (!v.enabled)
      throw new HttpError(
        403,
        'Forbidden',
        'Operation get is not allowed on a disabled secret.',
        'SecretDisabled',
      );
    return this.bundle(secret, v, true);
  }

  private updateSecret(name: string, version: string, body: unknown): unknown {
    const secret = this.findSecret(name);
    const v = this.findVersion(secret, version);
    const b = (body ?? {}) as {
      contentType?: string;
      tags?: Record<string, string>;
      attributes?: Record<string, unknown>;
    };
    validateTags(b.tags);
    // PATCH semantics: only the properties present are changed; `tags` replaces the whole set.
    if (b.contentType !== undefined) v.contentType = b.contentType;
    if (b.tags !== undefined) v.tags = { ...b.tags };
    const attrs = b.attributes ?? {};
    if (attrs['enabled'] !== undefined) v.enabled = Boolean(attrs['enabled']);
    if (typeof attrs['exp'] === 'number') v.exp = attrs['exp'];
    if (typeof attrs['nbf'] === 'number') v.nbf = attrs['nbf'];
    v.updated = now();
    // The service answers PATCH with the bundle *without* the value.
    return this.bundle(secret, v, false);
  }

  private deleteSecret(name: string): unknown {
    const secret = this.findSecret(name);
    const t = now();
    const deleted: DeletedSecret = {
      ...secret,
      deletedDate: t,
      scheduledPurgeDate: t + RECOVERABLE_DAYS * 86400,
    };
    this.secrets.delete(name.toLowerCase());
    this.deleted.set(name.toLowerCase(), deleted);
    return this.deletedBundle(deleted);
  }

  private recover(name: string): unknown {
    const deleted = this.findDeleted(name);
    this.deleted.delete(name.toLowerCase());
    const secret: StoredSecret = { name: deleted.name, versions: deleted.versions };
    this.secrets.set(name.toLowerCase(), secret);
    return this.bundle(secret, secret.versions.at(-1)!, false);
  }

  private purge(name: string): void {
    this.findDeleted(name);
    this.deleted.delete(name.toLowerCase());
  }

  private listSecrets(query: Record<string, string>): unknown {
    const items = [...this.secrets.values()].map((s) => this.item(s, s.versions.at(-1)!, false));
    return this.page(items, '/secrets', query);
  }

  private listVersions(name: string, query: Record<string, string>): unknown {
    const secret = this.findSecret(name);
    return this.page(
      secret.versions.map((v) => this.item(secret, v, true)),
      `/secrets/${encodeURIComponent(secret.name)}/versions`,
      query,
    );
  }

  private listDeleted(query: Record<string, string>): unknown {
    const items = [...this.deleted.values()].map((d) => ({
      ...this.item(d, d.versions.at(-1)!, false),
      ...this.deletedFields(d),
    }));
    return this.page(items, '/deletedsecrets', query);
  }

  // --- representation ---------------------------------------------------------------------------

  private findSecret(name: string): StoredSecret {
    const secret = this.secrets.get(name.toLowerCase());
    if (!secret) {
      throw new HttpError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`,
      );
    }
    return secret;
  }

  private findVersion(secret: StoredSecret, version: string): StoredVersion {
    const v = version ? secret.versions.find((x) => x.version === version) : secret.versions.at(-1);
    if (!v) {
      throw new HttpError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${secret.name}/${version} was not found in this key vault.`,
      );
    }
    return v;
  }

  private findDeleted(name: string): DeletedSecret {
    const deleted = this.deleted.get(name.toLowerCase());
    if (!deleted) throw new HttpError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return deleted;
  }

  private attributes(v: StoredVersion): Record<string, unknown> {
    return {
      enabled: v.enabled,
      ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
      ...(v.exp !== undefined ? { exp: v.exp } : {}),
      created: v.created,
      updated: v.updated,
      recoveryLevel: RECOVERY_LEVEL,
      recoverableDays: RECOVERABLE_DAYS,
    };
  }

  private bundle(secret: StoredSecret, v: StoredVersion, withValue: boolean): Record<string, unknown> {
    return {
      ...(withValue ? { value: v.value } : {}),
      id: `${this.url}/secrets/${secret.name}/${v.version}`,
      attributes: this.attributes(v),
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      ...(v.tags !== undefined ? { tags: v.tags } : {}),
    };
  }

  private item(secret: StoredSecret, v: StoredVersion, withVersion: boolean): Record<string, unknown> {
    return {
      id: `${this.url}/secrets/${secret.name}${withVersion ? `/${v.version}` : ''}`,
      attributes: this.attributes(v),
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      ...(v.tags !== undefined ? { tags: v.tags } : {}),
    };
  }

  private deletedFields(d: DeletedSecret): Record<string, unknown> {
    return {
      recoveryId: `${this.url}/deletedsecrets/${d.name}`,
      deletedDate: d.deletedDate,
      scheduledPurgeDate: d.scheduledPurgeDate,
    };
  }

  private deletedBundle(d: DeletedSecret): unknown {
    return { ...this.bundle(d, d.versions.at(-1)!, false), ...this.deletedFields(d) };
  }

  /** Pages with an opaque `$skiptoken` (an offset here), like the service's continuation links. */
  private page(items: unknown[], path: string, query: Record<string, string>): unknown {
    const requested = Number(query['maxresults']);
    const size =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, this.pageSize) : this.pageSize;
    const offset = Number(query['$skiptoken'] ?? 0) || 0;
    const value = items.slice(offset, offset + size);
    const next = offset + size < items.length ? offset + size : undefined;
    const params = new URLSearchParams({
      'api-version': query['api-version'] ?? '',
      $skiptoken: String(next),
    });
    if (query['maxresults']) params.set('maxresults', query['maxresults']);
    return { value, nextLink: next === undefined ? null : `${this.url}${path}?${params.toString()}` };
  }
}

/** Constant-time comparison (of digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function validateTags(tags: unknown): void {
  if (tags === undefined) return;
  if (typeof tags !== 'object' || tags === null)
    throw new HttpError(400, 'BadParameter', 'tags must be an object');
  const entries = Object.entries(tags);
  // Service limits: at most 15 tags, names up to 512 and values up to 256 characters.
  if (entries.length > 15) throw new HttpError(400, 'BadParameter', 'A maximum of 15 tags is allowed.');
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || k.length > 512 || v.length > 256)
      throw new HttpError(400, 'BadParameter', 'Invalid tag.');
  }
}

async function readRawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'x-ms-request-id': randomUUID(),
    'x-ms-keyvault-service-version': '1.9.0.0',
    ...headers,
  });
  res.end(payload);
}
