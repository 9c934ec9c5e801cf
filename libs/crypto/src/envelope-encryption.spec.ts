import { randomBytes } from 'node:crypto';
import { encodeAad } from './canonical-aad';
import { DecryptionError, UnsupportedFormatError } from './crypto.errors';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import {
  createProjectKek,
  decryptSecretValue,
  encryptSecretValue,
  unwrapProjectKek,
} from './envelope-encryption';
import {
  parseEncryptedValue,
  parseWrappedKek,
  serializeEncryptedValue,
  serializeWrappedKek,
} from './envelope-format';
import type { SecretVersionContext } from './envelope.types';

const master = () =>
  new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64'), variableName: 'MV_MASTER_KEY' });
const ctx: SecretVersionContext = {
  organizationId: 'org-1',
  projectId: 'proj-1',
  environmentId: 'prod',
  secretId: 'sec-1',
  version: 3,
};
const kekCtx = { organizationId: 'org-1', projectId: 'proj-1', kekVersion: 1 };

describe('canonical AAD', () => {
  it('is length-prefixed UTF-8, byte for byte (stored ciphertexts depend on it)', () => {
    expect(encodeAad('d', ['a/b', '', 7, 'é']).toString('hex')).toBe(
      '00000001' + '64' + '00000003' + '612f62' + '00000000' + '00000001' + '37' + '00000002' + 'c3a9',
    );
  });

  it('is unambiguous where naive concatenation collides', () => {
    expect(encodeAad('d', ['a/b', 'c']).equals(encodeAad('d', ['a', 'b/c']))).toBe(false);
    expect(encodeAad('d', ['ab', '']).equals(encodeAad('d', ['a', 'b']))).toBe(false);
    expect(encodeAad('d1', ['x']).equals(encodeAad('d', ['1x']))).toBe(false);
  });

  it('encodes equal numeric and string versions identically and rejects ambiguous input', () => {
    expect(encodeAad('d', [7]).equals(encodeAad('d', ['7']))).toBe(true);
    expect(() => encodeAad('d', [1.5])).toThrow(TypeError);
    expect(() => encodeAad('d', ['\uD800'])).toThrow(TypeError);
  });
});

describe('envelope encryption', () => {
  it('round-trips a value through master key -> KEK -> data key, and through the serialized forms', async () => {
    const mk = master();
    const { kek, wrapped } = await createProjectKek(kekCtx, mk);
    const stored = serializeWrappedKek(wrapped);
    expect(JSON.parse(stored)).toMatchObject({ v: 1, kekVersion: 1, masterKeyId: mk.id });

    const kek2 = await unwrapProjectKek(kekCtx, parseWrappedKek(stored), mk);
    expect(kek2.key.equals(kek.key)).toBe(true);

    const enc = encryptSecretValue('s3cr3t-value', ctx, kek2);
    const text = serializeEncryptedValue(enc);
    expect(text).not.toContain('s3cr3t');
    expect(JSON.parse(text)).toMatchObject({ v: 1, alg: 'A256GCM', kekVersion: 1 });
    expect(decryptSecretValue(parseEncryptedValue(text), ctx, kek).toString()).toBe('s3cr3t-value');
  });

  it('uses a fresh data key and nonce per version', async () => {
    const { kek } = await createProjectKek(kekCtx, master());
    const a = encryptSecretValue('same', ctx, kek);
    const b = encryptSecretValue('same', ctx, kek);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedDataKey.ciphertext.equals(b.wrappedDataKey.ciphertext)).toBe(false);
  });

  it.each([
    ['organizationId', { organizationId: 'org-2' }],
    ['projectId', { projectId: 'proj-2' }],
    ['environmentId', { environmentId: 'staging' }],
    ['secretId', { secretId: 'sec-2' }],
    ['version', { version: 4 }],
  ])('rejects the ciphertext under another %s (row copied onto another)', async (_field, change) => {
    const { kek } = await createProjectKek(kekCtx, master());
    const enc = encryptSecretValue('v', ctx, kek);
    // The KEK identity is kept as is: only the row identity used as AAD changes.
    expect(() => decryptSecretValue(enc, { ...ctx, ...change }, kek)).toThrow(DecryptionError);
  });

  it('rejects a tampered tag, ciphertext, nonce or wrapped data key', async () => {
    const { kek } = await createProjectKek(kekCtx, master());
    const enc = encryptSecretValue('value', ctx, kek);
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[0] ^= 1;
      return c;
    };
    expect(() => decryptSecretValue({ ...enc, tag: flip(enc.tag) }, ctx, kek)).toThrow(DecryptionError);
    expect(() => decryptSecretValue({ ...enc, ciphertext: flip(enc.ciphertext) }, ctx, kek)).toThrow(
      DecryptionError,
    );
    expect(() => decryptSecretValue({ ...enc, nonce: flip(enc.nonce) }, ctx, kek)).toThrow(DecryptionError);
    expect(() => decryptSecretValue({ ...enc, tag: enc.tag.subarray(0, 12) }, ctx, kek)).toThrow(
      DecryptionError,
    );
    const dk = enc.wrappedDataKey;
    expect(() =>
      decryptSecretValue({ ...enc, wrappedDataKey: { ...dk, tag: flip(dk.tag) } }, ctx, kek),
    ).toThrow(DecryptionError);
  });

  it('does not accept a data key moved from another secret version', async () => {
    const { kek } = await createProjectKek(kekCtx, master());
    const a = encryptSecretValue('a', ctx, kek);
    const b = encryptSecretValue('b', { ...ctx, version: 4 }, kek);
    expect(() => decryptSecretValue({ ...a, wrappedDataKey: b.wrappedDataKey }, ctx, kek)).toThrow(
      DecryptionError,
    );
  });

  it('rejects a KEK swapped between projects or KEK versions', async () => {
    const mk = master();
    const projectA = await createProjectKek(kekCtx, mk);
    const projectB = await createProjectKek({ ...kekCtx, projectId: 'proj-2' }, mk);
    // Project B's wrapped KEK copied onto project A's row: the AAD (project id) no longer matches.
    await expect(unwrapProjectKek(kekCtx, projectB.wrapped, mk)).rejects.toThrow(DecryptionError);
    // Same blob presented as another KEK version of the same project.
    await expect(
      unwrapProjectKek({ ...kekCtx, kekVersion: 2 }, { ...projectA.wrapped, kekVersion: 2 }, mk),
    ).rejects.toThrow(DecryptionError);
    // And a value of project A cannot be opened with project B's KEK relabelled as A's.
    const enc = encryptSecretValue('v', ctx, projectA.kek);
    expect(() => decryptSecretValue(enc, ctx, { ...projectB.kek, projectId: 'proj-1' })).toThrow(
      DecryptionError,
    );
  });

  it('rejects the wrong master key', async () => {
    const { wrapped } = await createProjectKek(
      kekCtx,
      new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64'), id: 'm1' }),
    );
    const other = new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64'), id: 'm1' });
    await expect(unwrapProjectKek(kekCtx, wrapped, other)).rejects.toThrow(DecryptionError);
  });

  it('refuses unknown or malformed serialized formats', () => {
    expect(() => parseEncryptedValue('{"v":2}')).toThrow(UnsupportedFormatError);
    expect(() => parseEncryptedValue('not json')).toThrow(UnsupportedFormatError);
    expect(() => parseWrappedKek('{"v":1,"kekVersion":1}')).toThrow(UnsupportedFormatError);
  });
});
