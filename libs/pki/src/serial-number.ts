import { randomBytes } from './crypto-engine';
import { bytesToHex } from './der-encoding';

export const SERIAL_NUMBER_BYTES = 16;

/**
 * 128-bit CSPRNG serial (CA/B Forum BR 7.1: ≥ 64 bits of entropy; RFC 5280 4.1.2.2: positive, ≤ 20
 * octets). The top bit is cleared so the INTEGER is positive without a 00 pad, and the first octet is
 * non-zero so the encoding is always exactly 16 octets (a leading 00 would be non-minimal DER).
 */
export function generateSerialNumber(): { bytes: Uint8Array; hex: string } {
  let bytes = randomBytes(SERIAL_NUMBER_BYTES);
  bytes[0]! &= 0x7f;
  while (bytes[0] === 0) {
    bytes = randomBytes(SERIAL_NUMBER_BYTES);
    bytes[0]! &= 0x7f;
  }
  return { bytes, hex: bytesToHex(bytes) };
}
