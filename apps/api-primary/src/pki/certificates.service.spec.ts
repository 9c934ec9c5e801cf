import type { CertificateEntity } from '@mazevault/persistence';
import { ProblemException, systemClock } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Actor, CertificateAuthoritiesService } from './certificate-authorities.service';
import type { CertificateProfilesService } from './certificate-profiles.service';
import { CertificatesService, normalizeSerial } from './certificates.service';
import type { CrlService } from './crl.service';
import type { IssuanceWorkers } from './issuance-workers';

/**
 * Unit: the certificate table, Redis and the CRL service are stand-ins; the revocation rules and the
 * order of their effects (status, OCSP invalidation, CRL) are the real code.
 */
const actor = { organizationId: 'org-1', type: 'user', id: 'user-1' } as unknown as Actor;

function certificate(fields: Partial<CertificateEntity> = {}): CertificateEntity {
  return {
    caId: 'ca-1',
    serial: '0a1b',
    organizationId: 'org-1',
    profileId: 'profile-1',
    commonName: 'a.svc.test',
    sans: ['dns:a.svc.test'],
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2026-02-01T00:00:00Z'),
    status: 'good',
    revokedAt: null,
    revocationReason: null,
    der: new Uint8Array([0x30, 0x00]),
    createdAt: new Date('2026-01-01T00:00:00Z'),
    subjectCaId: null,
    ...fields,
  } as CertificateEntity;
}

function setup(rows: CertificateEntity[], options: { affected?: number; publishFails?: boolean } = {}) {
  const effects: string[] = [];
  const update = jest.fn(async () => (effects.push('status'), { affected: options.affected ?? 1 }));
  const dataSource = {
    getRepository: () => ({
      find: async ({ where }: { where: { serial: string } }) => rows.filter((r) => r.serial === where.serial),
    }),
    transaction: async (work: (manager: object) => Promise<unknown>) =>
      work({ getRepository: () => ({ update }) }),
  } as unknown as DataSource;
  const redis = {
    options: { keyPrefix: 'deployment-a:' },
    publish: jest.fn(async (channel: string, message: string) => {
      if (options.publishFails) throw new Error('redis down');
      effects.push(`publish ${channel} ${message}`);
      return 1;
    }),
  } as unknown as Redis;
  const crls = {
    publish: jest.fn(async (_actor: Actor, caId: string, o: { moveBase: boolean }) =>
      effects.push(`crl ${caId} moveBase=${o.moveBase}`),
    ),
  } as unknown as CrlService;
  const service = new CertificatesService(
    dataSource,
    redis,
    {} as CertificateAuthoritiesService,
    {} as CertificateProfilesService,
    crls,
    {} as IssuanceWorkers,
    systemClock,
  );
  return { service, effects, update };
}

async function code(promise: Promise<unknown>): Promise<[number, string]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  return [(error as ProblemException).getStatus(), (error as ProblemException).code];
}

describe('CertificatesService.revoke', () => {
  it('marks the certificate revoked, then tells OCSP responders, then publishes a delta-only CRL', async () => {
    const { service, effects, update } = setup([certificate()]);
    const view = await service.revoke(actor, '0A:1B', 'superseded');
    expect(view).toMatchObject({ serial: '0a1b', status: 'revoked', revocationReason: 'superseded' });
    expect(view.revokedAt).toMatch(/\.000Z$/); // whole seconds, as X.509 encodes them
    // Only a certificate still good is updated: two revocations at once cannot both succeed.
    expect(update).toHaveBeenCalledWith(
      { caId: 'ca-1', serial: '0a1b', status: 'good' },
      expect.objectContaining({ status: 'revoked' }),
    );
    expect(effects).toEqual([
      'status',
      'publish deployment-a:mazevault:ocsp:invalidate ca-1:0a1b',
      'crl ca-1 moveBase=false',
    ]);
  });

  it('still revokes and publishes the CRL when Redis is down (responders catch up on refresh)', async () => {
    const { service, effects } = setup([certificate()], { publishFails: true });
    expect((await service.revoke(actor, '0a1b', 'cessationOfOperation')).status).toBe('revoked');
    expect(effects).toEqual(['status', 'crl ca-1 moveBase=false']);
  });

  it('refuses certificateHold, an unknown serial, a revoked certificate, a CA certificate and a lost race', async () => {
    expect(await code(setup([certificate()]).service.revoke(actor, '0a1b', 'certificateHold'))).toEqual([
      400,
      'certificate_hold_not_supported',
    ]);
    expect(await code(setup([]).service.revoke(actor, '0a1b', 'superseded'))).toEqual([
      404,
      'certificate_not_found',
    ]);
    expect(
      await code(setup([certificate({ status: 'revoked' })]).service.revoke(actor, '0a1b', 'superseded')),
    ).toEqual([409, 'already_revoked']);
    expect(
      await code(setup([certificate({ subjectCaId: 'ca-2' })]).service.revoke(actor, '0a1b', 'superseded')),
    ).toEqual([409, 'ca_certificate']);
    expect(
      await code(
        setup([certificate(), certificate({ caId: 'ca-3' })]).service.revoke(actor, '0a1b', 'superseded'),
      ),
    ).toEqual([409, 'serial_ambiguous']);

    const raced = setup([certificate()], { affected: 0 });
    expect(await code(raced.service.revoke(actor, '0a1b', 'superseded'))).toEqual([409, 'already_revoked']);
    expect(raced.effects).toEqual(['status']); // nothing published for a revocation that did not happen
  });
});

describe('normalizeSerial', () => {
  it.each([
    ['0A:1B', '0a1b'],
    ['0a 1b', '0a1b'],
  ])('%s → %s', (input, expected) => expect(normalizeSerial(input)).toBe(expected));
});
