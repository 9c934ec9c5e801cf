import {
  caChainPem,
  createIntermediateCa,
  createIntermediateCsr,
  createRootCa,
  importIntermediateCa,
  signIntermediateCsr,
} from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { pemEncode } from './der-encoding';
import { findExtension, readBasicConstraints, readNameConstraints } from './extensions';
import { issueWithGeneratedKey } from './issuance';
import { KEY_TYPES, KeyType } from './key-type';
import { OID } from './oids';
import { signerFromPkcs8 } from './signer';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { testSigner } from './testing/test-keys';

const clock = new FakeClock(new Date()); // openssl verify uses the real clock
const dir = scratchDir();
afterAll(() => dir.cleanup());
const profile = defineProfile({
  name: 'web',
  maxTtlSeconds: 30 * DAY,
  allowedDomains: ['example.com', 'example.org'],
  allowSubdomains: true,
});

describe('root CAs', () => {
  // Every supported key type, generated here, parsed and self-verified by openssl.
  it.each(KEY_TYPES.map((k) => [k]))(
    'creates a self-signed %s root that openssl verifies',
    async (keyType: KeyType) => {
      const { ca, certificate, privateKeyPkcs8 } = await createRootCa({
        keyType,
        subject: { commonName: `Root ${keyType}` },
        ttlSeconds: 365 * DAY,
        clock,
        pathLength: 2,
      });
      const file = dir.write(`root-${keyType}.pem`, certificate.pem);
      expect(openssl(['verify', '-CAfile', file, file]).output).toContain(': OK');
      const text = openssl(['x509', '-in', file, '-noout', '-text']).stdout;
      expect(text).toMatch(/CA:TRUE, pathlen:2/);
      expect(text).toMatch(/Certificate Sign, CRL Sign/);
      // the key comes back as PKCS#8 that openssl reads and that signs for the same public key
      expect(openssl(['pkey', '-inform', 'DER', '-noout'], new Uint8Array(privateKeyPkcs8!)).status).toBe(0);
      const reloaded = await signerFromPkcs8(privateKeyPkcs8!);
      expect(reloaded.algorithm).toBe(keyType);
      expect(ca.chain).toEqual([]);
    },
    60_000,
  ); // RSA-4096 key generation takes seconds on a small CI box
});

describe('intermediates', () => {
  it('signs an intermediate with pathLen and DNS name constraints, enforced by openssl', async () => {
    const { root, intermediate } = await testHierarchy(clock, {
      label: 'nc',
      nameConstraints: { permittedDns: ['example.com'], excludedDns: ['secret.example.com'] },
    });
    expect(
      readBasicConstraints(findExtension(intermediate.certificate.extensions, OID.basicConstraints)!),
    ).toEqual({ ca: true, pathLength: 0 });
    const nc = findExtension(intermediate.certificate.extensions, OID.nameConstraints)!;
    expect(nc.critical).toBe(true);
    expect(readNameConstraints(nc)).toMatchObject({
      permittedDns: ['example.com'],
      excludedDns: ['secret.example.com'],
    });
    const rootFile = dir.write('nc-root.pem', root.pem);
    const chainFile = dir.write('nc-inter.pem', intermediate.pem);
    const text = openssl(['x509', '-in', chainFile, '-noout', '-text']).stdout;
    expect(text).toMatch(/Permitted:\s+DNS:example.com/);
    expect(text).toMatch(/Excluded:\s+DNS:secret.example.com/);
    const leaf = await issueWithGeneratedKey({
      ca: intermediate,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['www.example.com'] },
    });
    const leafFile = dir.write('nc-leaf.pem', leaf.certificate.pem);
    expect(openssl(['verify', '-CAfile', rootFile, '-untrusted', chainFile, leafFile]).output).toContain(
      ': OK',
    );
  });

  it('refuses a subordinate the parent pathLen does not allow', async () => {
    const { intermediate } = await testHierarchy(clock, { label: 'pl' }); // pathLen 0
    await expect(
      createIntermediateCa(intermediate, {
        keyType: 'ecdsa-p256',
        subject: { commonName: 'too deep' },
        ttlSeconds: DAY,
        clock,
      }),
    ).rejects.toMatchObject({ code: 'path_length_exceeded' });
  });

  it('refuses an intermediate that would outlive its parent (not silently shortened)', async () => {
    const root = await createRootCa({
      signer: await testSigner('ecdsa-p256', 'short-root'),
      subject: { commonName: 'Short root' },
      ttlSeconds: 10 * DAY,
      clock,
    });
    await expect(
      createIntermediateCa(root.ca, {
        signer: await testSigner('ecdsa-p256', 'short-sub'),
        subject: { commonName: 'Sub' },
        ttlSeconds: 100 * DAY,
        clock,
      }),
    ).rejects.toMatchObject({
      code: 'ttl_exceeds_issuer',
    });
    const sub = await createIntermediateCa(root.ca, {
      signer: await testSigner('ecdsa-p256', 'short-sub'),
      subject: { commonName: 'Sub' },
      ttlSeconds: 5 * DAY,
      clock,
    });
    expect(sub.certificate.notAfter.getTime()).toBeLessThanOrEqual(root.certificate.notAfter.getTime());
    expect(sub.privateKeyPkcs8).toBeUndefined(); // existing signer: no key material handed out
  });

  it('exports a CSR for an external root and imports the certificate that root signs', async () => {
    const pending = await createIntermediateCsr({
      keyType: 'ecdsa-p384',
      subject: { organization: 'MazeVault', commonName: 'Issuing CA 2' },
      pathLength: 0,
    });
    const csrFile = dir.write('ext.csr', pending.csrPem);
    expect(openssl(['req', '-in', csrFile, '-verify', '-noout']).output).toMatch(/verify OK/);

    // The "external root" is plain openssl.
    const rootKey = `${dir.path}/ext-root.key`;
    const rootCert = `${dir.path}/ext-root.pem`;
    const extFile = dir.write(
      'ext.cnf',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
    );
    expect(
      openssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        rootKey,
        '-out',
        rootCert,
        '-subj',
        '/CN=External Root',
        '-days',
        '30',
      ]).status,
    ).toBe(0);
    const signed = openssl([
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      rootCert,
      '-CAkey',
      rootKey,
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      extFile,
    ]);
    expect(signed.status).toBe(0);
    const rootPem = openssl(['x509', '-in', rootCert]).stdout;

    const imported = await importIntermediateCa({
      certificate: signed.stdout,
      signer: pending.signer,
      issuerChain: [rootPem],
    });
    const now = new FakeClock(new Date()); // openssl stamped the intermediate with the real time, after `clock`
    const leaf = await issueWithGeneratedKey({
      ca: imported,
      profile,
      clock: now,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['api.example.org'] },
    });
    const chainFile = dir.write('ext-chain.pem', caChainPem(imported));
    const leafFile = dir.write('ext-leaf.pem', leaf.certificate.pem);
    expect(openssl(['verify', '-CAfile', rootCert, '-untrusted', chainFile, leafFile]).output).toContain(
      ': OK',
    );

    // the wrong key, or the wrong issuer, are refused
    await expect(
      importIntermediateCa({ certificate: signed.stdout, signer: await testSigner('ecdsa-p384', 'other') }),
    ).rejects.toMatchObject({ code: 'key_mismatch' });
    const { root: otherRoot } = await testHierarchy(clock, { label: 'other' });
    await expect(
      importIntermediateCa({
        certificate: signed.stdout,
        signer: pending.signer,
        issuerChain: [otherRoot.pem],
      }),
    ).rejects.toMatchObject({ code: 'signature_invalid' });
    // a leaf is not a CA
    await expect(
      importIntermediateCa({ certificate: leaf.certificate.pem, signer: pending.signer }),
    ).rejects.toMatchObject({ code: 'not_a_ca' });
  });

  it('signs an intermediate CSR from another cluster, taking only the key from it', async () => {
    const { root } = await testHierarchy(clock, { label: 'csr-sub' });
    const pending = await createIntermediateCsr({
      signer: await testSigner('ecdsa-p256', 'csr-sub-key'),
      subject: { commonName: 'Requested Name' },
    });
    const cert = await signIntermediateCsr(root, pending.csrDer, {
      subject: { commonName: 'Assigned Name' },
      ttlSeconds: 30 * DAY,
      clock,
    });
    expect(cert.certificate.subject.typesAndValues[0]!.value.valueBlock.value).toBe('Assigned Name');
  });
});

describe('several issuers side by side', () => {
  it('keeps issuers independent: each leaf chains to its own root only', async () => {
    const a = await testHierarchy(clock, { label: 'tenant-a' });
    const b = await testHierarchy(clock, { label: 'tenant-b', keyType: 'ecdsa-p384' });
    const [leafA, leafB] = await Promise.all([
      issueWithGeneratedKey({
        ca: a.intermediate,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['a.example.com'] },
      }),
      issueWithGeneratedKey({
        ca: b.intermediate,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['b.example.com'] },
      }),
    ]);
    const files = {
      rootA: dir.write('a-root.pem', a.root.pem),
      interA: dir.write('a-inter.pem', a.intermediate.pem),
      rootB: dir.write('b-root.pem', b.root.pem),
      interB: dir.write('b-inter.pem', b.intermediate.pem),
      leafA: dir.write('a-leaf.pem', leafA.certificate.pem),
      leafB: dir.write('b-leaf.pem', leafB.certificate.pem),
    };
    expect(
      openssl(['verify', '-CAfile', files.rootA, '-untrusted', files.interA, files.leafA]).output,
    ).toContain(': OK');
    expect(
      openssl(['verify', '-CAfile', files.rootB, '-untrusted', files.interB, files.leafB]).output,
    ).toContain(': OK');
    const cross = openssl(['verify', '-CAfile', files.rootA, '-untrusted', files.interA, files.leafB]);
    expect(cross.status).not.toBe(0);
    expect(pemEncode('CERTIFICATE', leafA.certificate.der)).toBe(leafA.certificate.pem);
  });
});
