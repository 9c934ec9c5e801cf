import { CryptoKeyPair } from '../crypto-engine';
import { generateKeyPair, KeyType } from '../key-type';
import { cryptoKeySigner, Signer } from '../signer';

// Key generation dominates test time (RSA especially): one key per (type, label) per test file.
const cache = new Map<string, Promise<CryptoKeyPair>>();

export function testKeyPair(keyType: KeyType, label = 'default'): Promise<CryptoKeyPair> {
  const id = `${keyType}/${label}`;
  let pair = cache.get(id);
  if (!pair) {
    pair = generateKeyPair(keyType);
    cache.set(id, pair);
  }
  return pair;
}

export async function testSigner(keyType: KeyType, label = 'default'): Promise<Signer> {
  return cryptoKeySigner(await testKeyPair(keyType, label), keyType);
}
