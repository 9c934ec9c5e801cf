import { randomBytes } from 'node:crypto';
import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import type { CryptoKey } from './crypto-engine';
import { exportPkcs8, exportSpki } from './key-type';
import { CA_KEY_KIND, OCSP_SIGNER_KEY_KIND, sealSignerKey, unsealSigner } from './sealed-signer-key';
import { testKeyPair } from './testing/test-keys';

const ring = new MasterKeyRing(new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') }));

async function spkiOf(publicKey: CryptoKey): Promise<string> {
  return Buffer.from((await exportSpki(publicKey)).toSchema().toBER(false)).toString('hex');
}

describe('sealed signer keys', () => {
  it('keeps the AAD kinds every stored CA key was sealed under', () => {
    // Rows in every database were sealed under these strings, by the Primary, and are opened by the
    // OCSP responder: changing one locks every CA key out.
    expect([CA_KEY_KIND, OCSP_SIGNER_KEY_KIND]).toEqual(['ca', 'ocsp-signer']);
  });

  it('opens a key into a Signer of the same key, for its kind and CA only', async () => {
    const pair = await testKeyPair('ecdsa-p256');
    const sealed = await sealSignerKey(await exportPkcs8(pair.privateKey), CA_KEY_KIND, 'ca-1', ring);
    const signer = await unsealSigner(sealed.sealed, CA_KEY_KIND, 'ca-1', ring);
    expect(await spkiOf(signer.publicKey)).toBe(await spkiOf(pair.publicKey));
    await expect(unsealSigner(sealed.sealed, OCSP_SIGNER_KEY_KIND, 'ca-1', ring)).rejects.toThrow(
      /decryption failed/,
    );
    await expect(unsealSigner(sealed.sealed, CA_KEY_KIND, 'ca-2', ring)).rejects.toThrow(/decryption failed/);
  });
});
