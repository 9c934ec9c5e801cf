import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from './der-encoding';
import { PkiError } from './pki-error';

/** Subject alternative names by type, in canonical form. */
export interface AltNames {
  dns: string[];
  ip: string[];
  uri: string[];
  email: string[];
}
export type SanType = keyof AltNames;
export const SAN_TYPES: readonly SanType[] = ['dns', 'ip', 'uri', 'email'];

export function emptyAltNames(): AltNames {
  return { dns: [], ip: [], uri: [], email: [] };
}

// GeneralName CHOICE tags (RFC 5280 4.2.1.6)
const GN_EMAIL = 1;
const GN_DNS = 2;
const GN_URI = 6;
const GN_IP = 7;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const invalid = (message: string, value: string) => new PkiError('invalid_name', message, { value });

/**
 * Canonical DNS name: IDNA to punycode (UTS #46 via WHATWG `domainToASCII`, which also lower-cases
 * and maps full-width dots), trailing root dot removed, LDH labels only (no underscores, BR 7.1.4.2).
 * A wildcard is only accepted as the whole left-most label ("*.example.com", RFC 6125 §6.4.3).
 * Everything downstream (profile checks, lint, the certificate) sees only the canonical form, so
 * "EXAMPLE.com.", "exämple.com" and "xn--exmple-cua.com" cannot be used to slip past a rule.
 */
export function canonicalizeDnsName(input: string, options: { allowWildcard?: boolean } = {}): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 1024)
    throw invalid('empty or oversized DNS name', String(input));
  let rest = input;
  let wildcard = false;
  if (rest.startsWith('*.')) {
    wildcard = true;
    rest = rest.slice(2);
  }
  if (wildcard && !options.allowWildcard)
    throw new PkiError('wildcard_not_allowed', `wildcard name ${input} is not allowed here`, {
      value: input,
    });
  let ascii = domainToASCII(rest);
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  if (!ascii || ascii.length > 253 || isIP(ascii)) throw invalid(`not a valid DNS name: ${input}`, input);
  if (!ascii.split('.').every((label) => LABEL.test(label)))
    throw invalid(`not a valid DNS name: ${input}`, input);
  return wildcard ? `*.${ascii}` : ascii;
}

/** `name` equals `domain` or is below it (label-wise: "badexample.com" is not under "example.com"). */
export function isSameOrSubdomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** Canonical text and the 4/16 octets that go into an iPAddress GeneralName (RFC 5280 4.2.1.6). */
export function canonicalizeIp(input: string): { text: string; bytes: Uint8Array } {
  const version = typeof input === 'string' && !input.includes('%') ? isIP(input) : 0;
  if (version === 4) {
    const bytes = Uint8Array.from(input.split('.').map(Number));
    return { text: Array.from(bytes).join('.'), bytes };
  }
  if (version === 6) {
    const bytes = parseIpv6(input);
    // An IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) is that IPv4 address: ranges are
    // checked and the SAN encoded as IPv4, so "::ffff:10.1.1.1" cannot pass as something else.
    if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      const v4 = bytes.slice(12);
      return { text: Array.from(v4).join('.'), bytes: v4 };
    }
    return { text: ipv6Text(bytes), bytes };
  }
  throw invalid(`not an IP address: ${input}`, input);
}

function parseIpv6(text: string): Uint8Array {
  let head = text;
  const bytes = new Uint8Array(16);
  // embedded dotted quad (::ffff:1.2.3.4): turn it into two hex groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    head = `${head.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const groups = [
    ...leftGroups,
    ...Array(8 - leftGroups.length - rightGroups.length).fill('0'),
    ...rightGroups,
  ];
  groups.forEach((group: string, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function ipv6Text(bytes: Uint8Array): string {
  // RFC 5952 canonical text via the URL parser, which implements exactly that serialization.
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) return ipv6Text(bytes);
  throw new PkiError('malformed_der', 'iPAddress must be 4 or 16 octets');
}

/**
 * CIDR ranges as a matcher (node:net BlockList does the prefix arithmetic). One list per family:
 * BlockList matches IPv4 against IPv6 rules through the mapped form, and an IPv4 address must only
 * ever match an IPv4 range.
 */
export function ipRangeMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    const { text, bytes } = canonicalizeIp(address ?? '');
    const family = bytes.length === 4 ? 'ipv4' : 'ipv6';
    const bits = prefix === undefined ? bytes.length * 8 : Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8)
      throw invalid(`bad CIDR ${cidr}`, cidr);
    lists[family].addSubnet(text, bits, family);
  }
  return (ip) => {
    const { text, bytes } = canonicalizeIp(ip);
    const family = bytes.length === 4 ? 'ipv4' : 'ipv6';
    return lists[family].check(text, family);
  };
}

/** rfc822Name: ASCII local part kept verbatim (it is case-sensitive, RFC 5321 §2.4), domain canonicalized. */
export function canonicalizeEmail(input: string): string {
  const at = typeof input === 'string' ? input.lastIndexOf('@') : -1;
  const local = at > 0 ? input.slice(0, at) : '';
  if (!local || local.length > 64 || !/^[\x21-\x7e]+$/.test(local) || local.includes('@'))
    throw invalid(`not a valid email address: ${input}`, input);
  return `${local}@${canonicalizeDnsName(input.slice(at + 1))}`;
}

/** URI: scheme lower-cased, host canonicalized like a DNS name, no userinfo (RFC 5280 4.2.1.6). */
/** RFC 8141 URN: `urn:<NID>:<NSS>`; the NID is case-insensitive (lower-cased), the NSS kept as is. */
const URN = /^urn:([a-z0-9][a-z0-9-]{0,30}[a-z0-9]):([A-Za-z0-9()+,\-.:=@;$_!*'%/?#~]{1,255})$/i;

export function canonicalizeUri(input: string): { uri: string; scheme: string; host: string } {
  // A URN names something without a host (e.g. urn:mazevault:gateway:<uuid>): host is empty.
  const urn = /^urn:/i.test(input) ? URN.exec(input) : null;
  if (/^urn:/i.test(input)) {
    if (!urn) throw invalid(`not a valid URN: ${input}`, input);
    return { uri: `urn:${urn[1]!.toLowerCase()}:${urn[2]!}`, scheme: 'urn', host: '' };
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid(`not a valid URI: ${input}`, input);
  }
  if (url.username || url.password || !url.hostname)
    throw invalid(`URI must have a host and no userinfo: ${input}`, input);
  const scheme = url.protocol.slice(0, -1);
  let hostname: string;
  try {
    hostname = decodeURIComponent(url.hostname); // non-special schemes (spiffe:) keep hosts percent-encoded
  } catch {
    throw invalid(`not a valid URI host: ${input}`, input);
  }
  const host = canonicalizeDnsName(hostname);
  return {
    uri: `${scheme}://${host}${url.port ? `:${url.port}` : ''}${url.pathname}${url.search}${url.hash}`,
    scheme,
    host,
  };
}

/** Canonicalize and de-duplicate every name (wildcards are kept syntactically; policy decides). */
export function canonicalizeAltNames(input: Partial<AltNames>): AltNames {
  const unique = (values: string[]) => [...new Set(values)];
  return {
    dns: unique((input.dns ?? []).map((n) => canonicalizeDnsName(n, { allowWildcard: true }))),
    ip: unique((input.ip ?? []).map((n) => canonicalizeIp(n).text)),
    uri: unique((input.uri ?? []).map((n) => canonicalizeUri(n).uri)),
    email: unique((input.email ?? []).map(canonicalizeEmail)),
  };
}

export function altNamesCount(names: AltNames): number {
  return names.dns.length + names.ip.length + names.uri.length + names.email.length;
}

export function altNamesToGeneralNames(names: AltNames): pkijs.GeneralNames {
  return new pkijs.GeneralNames({
    names: [
      ...names.dns.map((value) => new pkijs.GeneralName({ type: GN_DNS, value })),
      ...names.ip.map(
        (value) =>
          new pkijs.GeneralName({
            type: GN_IP,
            value: new asn1js.OctetString({ valueHex: toArrayBuffer(canonicalizeIp(value).bytes) }),
          }),
      ),
      ...names.uri.map((value) => new pkijs.GeneralName({ type: GN_URI, value })),
      ...names.email.map((value) => new pkijs.GeneralName({ type: GN_EMAIL, value })),
    ],
  });
}
