import type { E2eeKeys, E2eePrivateJwk } from './e2ee-channel';
import { publicE2eeJwk } from './e2ee-channel';
import type { MasterKeyRing } from './master-key.provider';
import { openPrivateKey, type PrivateKeyOwner, sealPrivateKey } from './sealed-private-key';

/**
 * E2EE private keys at rest: both private JWKs as one JSON blob, sealed with the master key exactly
 * like a TLS or CA key (bound to its owner by the AAD). The public halves are derived on opening.
 */
export async function sealE2eeKeys(
  keys: E2eeKeys,
  owner: PrivateKeyOwner,
  masters: MasterKeyRing,
): Promise<string> {
  const json = Buffer.from(
    JSON.stringify({ signing: keys.signing.privateJwk, encryption: keys.encryption.privateJwk }),
  );
  try {
    return (await sealPrivateKey(json, owner, masters)).sealed;
  } finally {
    json.fill(0);
  }
}

export async function openE2eeKeys(
  sealed: string,
  owner: PrivateKeyOwner,
  masters: MasterKeyRing,
): Promise<E2eeKeys> {
  const json = await openPrivateKey(sealed, owner, masters);
  try {
    const { signing, encryption } = JSON.parse(json.toString('utf8')) as Record<string, E2eePrivateJwk>;
    return {
      signing: { privateJwk: signing!, publicJwk: publicE2eeJwk(signing!) },
      encryption: { privateJwk: encryption!, publicJwk: publicE2eeJwk(encryption!) },
    };
  } finally {
    json.fill(0);
  }
}
