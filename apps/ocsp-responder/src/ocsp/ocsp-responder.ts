import {
  buildOcspErrorResponse,
  buildOcspResponse,
  certIdFor,
  type Clock,
  type OcspCertId,
  type OcspCertStatus,
  type OcspErrorStatus,
  parseOcspRequest,
  revocationReasonName,
  systemClock,
} from '@mazevault/pki';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Issuer, IssuerRegistry } from './issuer-registry';

/** A signed answer ready to write: body plus what the HTTP caching headers need. */
export interface OcspAnswer {
  body: Buffer;
  /** Label for metrics: good | revoked | unknown | mixed | malformedRequest | unauthorized | internalError. */
  outcome: string;
  /** Present for cacheable (nonce-less, successful) answers. */
  cache?: { etag: string; lastModified: string; nextUpdateMs: number };
  hit: boolean;
  /**
   * Memo for the HTTP layer, filled the first time a cached answer is written: the complete response
   * headers (constant while max-age is capped by configuration) and until when they are valid, plus the
   * metrics cell of this outcome. Keeps the cache-hit path free of per-request formatting and lookups.
   */
  wire?: { headers: Record<string, string | number>; validUntilMs: number; stat: { n: number } };
}

interface CacheEntry {
  answer: OcspAnswer;
  /** Re-sign lazily after half the validity (RFC 5019 §6: refresh well before nextUpdate). */
  refreshAtMs: number;
  certKey: string;
  requestKeys: Set<string>;
}

export interface ResponderMetrics {
  signed(seconds: number): void;
}

const ERRORS: Record<OcspErrorStatus, Buffer> = {
  malformedRequest: Buffer.from(buildOcspErrorResponse('malformedRequest')),
  internalError: Buffer.from(buildOcspErrorResponse('internalError')),
  tryLater: Buffer.from(buildOcspErrorResponse('tryLater')),
  sigRequired: Buffer.from(buildOcspErrorResponse('sigRequired')),
  unauthorized: Buffer.from(buildOcspErrorResponse('unauthorized')),
};

/** Cached "unknown" answers, by default (see `unknownKeys`). */
export const DEFAULT_MAX_UNKNOWN_ENTRIES = 10_000;
/** Longest request whose exact bytes are remembered as a hot-path key. */
export const MAX_REMEMBERED_REQUEST_BYTES = 512;

/**
 * The cache slot of one (CA, CertID): the CertID's own DER, which the parser only accepts in its one
 * canonical form (minimal, non-negative serial), so every request that shares the slot is answered
 * with a response echoing exactly the CertID it sent. The serial leads so `invalidate` can find it.
 */
export function certKeyOf(issuer: Issuer, certId: OcspCertId): string {
  return `${issuer.id}:${certId.serialNumber}:${Buffer.from(certId.der).toString('latin1')}`;
}

export function errorAnswer(status: OcspErrorStatus): OcspAnswer {
  return { body: ERRORS[status], outcome: status, hit: false };
}

/**
 * The responder as a layered source (Boulder's shape): filter (parse, bound, match an issuer we serve)
 * → in-memory cache of pre-signed responses (keyed by the exact request bytes, then by certificate)
 * → database (status of record) + signing. Nonce requests skip the cache and are signed on demand.
 */
export class OcspResponderService {
  private readonly byRequest = new Map<string, CacheEntry>();
  private readonly byCert = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<CacheEntry>>();
  /** Slots answering "unknown", oldest first: their serials are the client's choice, so they get their own small cap. */
  private readonly unknownKeys = new Set<string>();
  /** Bumped per certificate on invalidation: a signing that raced an invalidation is not cached. */
  private readonly generation = new Map<string, number>();

  /** Milliseconds since the epoch on the responder's clock (Date.now() for the system clock: no Date per request). */
  readonly nowMs: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly issuers: IssuerRegistry,
    private readonly clock: Clock,
    private readonly options: { validitySeconds: number; maxEntries: number; maxUnknownEntries?: number },
    private readonly metrics: ResponderMetrics,
  ) {
    this.nowMs = clock === systemClock ? Date.now : () => clock.now().getTime();
  }

  get cacheSize(): number {
    return this.byCert.size;
  }

  /**
   * Hot path, synchronous: the pre-signed answer for these exact request bytes, if one is cached and not
   * due for re-signing. No parsing, no promise, no allocation; a miss goes through `answer()`.
   */
  lookup(key: string, nowMs: number): OcspAnswer | undefined {
    const cached = this.byRequest.get(key);
    return cached !== undefined && cached.refreshAtMs > nowMs ? cached.answer : undefined;
  }

  /** Answer one DER request. `key` identifies the exact request bytes (latin1 string of the DER). */
  async answer(der: Buffer, key: string): Promise<OcspAnswer> {
    const now = this.nowMs();
    const cached = this.byRequest.get(key);
    if (cached && cached.refreshAtMs > now) return { ...cached.answer, hit: true };

    const parsed = parseOcspRequest(der);
    if (!parsed.ok) return errorAnswer('malformedRequest');
    const request = parsed.request;
    const matched = request.certIds.map((certId) => ({ certId, issuer: this.issuers.match(certId) }));
    const first = matched[0]!.issuer;
    // One response is signed by one responder: every CertID must belong to a CA we serve, the same one.
    if (!first || matched.some((m) => m.issuer !== first)) return errorAnswer('unauthorized');

    if (request.nonce || request.certIds.length > 1) {
      const statuses = await Promise.all(request.certIds.map((certId) => this.status(first, certId)));
      const body = await this.sign(
        first,
        request.certIds.map((certId, i) => ({ certId, status: statuses[i]! })),
        request.nonce,
      );
      const outcome = statuses.length === 1 ? statuses[0]!.status : 'mixed';
      return { body, outcome, hit: false };
    }

    const certId = request.certIds[0]!;
    const certKey = certKeyOf(first, certId);
    let entry = this.byCert.get(certKey);
    let hit = true;
    if (!entry || entry.refreshAtMs <= now) {
      hit = false;
      entry = await this.fill(first, certId, certKey);
    }
    this.remember(key, entry);
    return { ...entry.answer, hit };
  }

  private fill(issuer: Issuer, certId: OcspCertId, certKey: string): Promise<CacheEntry> {
    let pending = this.pending.get(certKey);
    if (!pending) {
      pending = this.build(issuer, certId, certKey).finally(() => this.pending.delete(certKey));
      this.pending.set(certKey, pending);
    }
    return pending;
  }

  private async build(issuer: Issuer, certId: OcspCertId, certKey: string): Promise<CacheEntry> {
    const certRef = `${issuer.id}:${certId.serialNumber}`;
    const generation = this.generation.get(certRef) ?? 0;
    const status = await this.status(issuer, certId);
    const signedAt = this.clock.now();
    const body = await this.sign(issuer, [{ certId, status }]);
    const nextUpdateMs = Math.floor(signedAt.getTime() / 1000) * 1000 + this.options.validitySeconds * 1000;
    const entry: CacheEntry = {
      answer: {
        body,
        outcome: status.status,
        hit: false,
        cache: {
          etag: `"${createHash('sha1').update(body).digest('hex')}"`,
          lastModified: new Date(Math.floor(signedAt.getTime() / 1000) * 1000).toUTCString(),
          nextUpdateMs,
        },
      },
      refreshAtMs: signedAt.getTime() + (this.options.validitySeconds * 1000) / 2,
      certKey,
      requestKeys: new Set(),
    };
    if ((this.generation.get(certRef) ?? 0) === generation) {
      this.drop(certKey);
      if (status.status === 'unknown') {
        // Random serials from a flood evict each other, never the pre-signed answers of real certificates.
        const cap = Math.min(
          this.options.maxUnknownEntries ?? DEFAULT_MAX_UNKNOWN_ENTRIES,
          this.options.maxEntries,
        );
        while (this.unknownKeys.size >= cap) this.drop(this.unknownKeys.values().next().value as string);
        this.unknownKeys.add(certKey);
      }
      this.evictIfFull();
      this.byCert.set(certKey, entry);
    }
    return entry;
  }

  private remember(requestKey: string, entry: CacheEntry): void {
    if (this.byCert.get(entry.certKey) !== entry) return;
    if (entry.requestKeys.size >= 8) return; // a few encodings per certificate; no unbounded fan-out
    // The key is the request itself: a client's 60 KB of junk extensions is answered, not kept (a plain
    // request is under 100 bytes, one with a nonce about 120). Such requests are parsed on every call.
    if (requestKey.length > MAX_REMEMBERED_REQUEST_BYTES) return;
    entry.requestKeys.add(requestKey);
    this.byRequest.set(requestKey, entry);
  }

  private evictIfFull(): void {
    while (this.byCert.size >= this.options.maxEntries) {
      const oldest = this.byCert.keys().next().value as string;
      this.drop(oldest);
    }
  }

  private drop(certKey: string): void {
    this.unknownKeys.delete(certKey);
    const entry = this.byCert.get(certKey);
    if (!entry) return;
    for (const k of entry.requestKeys) this.byRequest.delete(k);
    this.byCert.delete(certKey);
  }

  /** A certificate's status changed (revocation): forget its responses; the next request re-reads the database. */
  invalidate(caId: string, serial: string): void {
    const certRef = `${caId}:${serial}`;
    this.generation.set(certRef, (this.generation.get(certRef) ?? 0) + 1);
    if (this.generation.size > 100_000) this.generation.clear();
    for (const certKey of [...this.byCert.keys()]) if (certKey.startsWith(certRef + ':')) this.drop(certKey);
  }

  /** Drop everything of a CA (its signer changed). */
  invalidateCa(caId: string): void {
    for (const certKey of [...this.byCert.keys()]) if (certKey.startsWith(caId + ':')) this.drop(certKey);
  }

  /** Pre-sign SHA-1 CertID responses (what most clients send) for a CA's certificates. */
  async presign(issuer: Issuer, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const { rows } = await this.pool.query<{ serial: string }>(
      `SELECT serial FROM certificates WHERE ca_id = $1 AND not_after > now() ORDER BY created_at DESC LIMIT $2`,
      [issuer.id, limit],
    );
    for (const row of rows) {
      const certId = await certIdFor(issuer.ca, row.serial, 'SHA-1');
      await this.fill(issuer, certId, certKeyOf(issuer, certId));
    }
    return rows.length;
  }

  private async status(issuer: Issuer, certId: OcspCertId): Promise<OcspCertStatus> {
    if (!/^[0-9a-f]{1,64}$/.test(certId.serialNumber)) return { status: 'unknown' };
    const { rows } = await this.pool.query<{
      status: string;
      revoked_at: Date | null;
      revocation_reason: number | null;
    }>('SELECT status, revoked_at, revocation_reason FROM certificates WHERE ca_id = $1 AND serial = $2', [
      issuer.id,
      certId.serialNumber,
    ]);
    const row = rows[0];
    if (!row) return { status: 'unknown' };
    if (row.status !== 'revoked' || !row.revoked_at) return { status: 'good' };
    const reason = row.revocation_reason === null ? undefined : revocationReasonName(row.revocation_reason);
    return {
      status: 'revoked',
      revokedAt: row.revoked_at,
      ...(reason && reason !== 'unspecified' && { reason }),
    };
  }

  private async sign(
    issuer: Issuer,
    responses: { certId: OcspCertId; status: OcspCertStatus }[],
    nonce?: Uint8Array,
  ): Promise<Buffer> {
    const started = process.hrtime.bigint();
    const der = await buildOcspResponse({
      responder: issuer.responder,
      clock: this.clock,
      validitySeconds: this.options.validitySeconds,
      responses,
      ...(nonce && { nonce }),
    });
    this.metrics.signed(Number(process.hrtime.bigint() - started) / 1e9);
    return Buffer.from(der);
  }
}
