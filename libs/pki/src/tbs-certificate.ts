import { AltNames, emptyAltNames } from './alt-names';
import {
  childrenExactly,
  childrenOf,
  encodedOf,
  expect,
  readIntegerBytes,
  readNode,
  readOid,
  readRoot,
  readSmallInteger,
  readTime,
  TAG,
} from './der-reader';
import { NameAttribute, readNameAttributes } from './distinguished-name';
import { generalNamesFromValue, RawExtension, readExtensions } from './extension-values';
import { readSubjectPublicKeyInfo, SubjectPublicKey } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';

/**
 * A TBSCertificate (RFC 5280 4.1) read from its DER in place: what the pre-issuance linter checks is
 * therefore exactly the bytes the CA key then signs.
 */
export interface TbsCertificate {
  /** 0-based X.509 version (2 = v3). */
  version: number;
  /** INTEGER content octets. */
  serial: Uint8Array;
  signatureAlgorithmOid: string;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  subjectAttributes: NameAttribute[];
  publicKey: SubjectPublicKey;
  extensions: RawExtension[];
}

/**
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer, validity,
 *   subject, subjectPublicKeyInfo, issuerUniqueID [1] OPTIONAL, subjectUniqueID [2] OPTIONAL, extensions [3] }
 */
export function readTbsCertificate(der: Uint8Array): TbsCertificate {
  const fields = childrenOf(der, readRoot(der, TAG.sequence, 'TBSCertificate'));
  let index = 0;
  let version = 0;
  if (fields[0]?.tag === 0xa0) {
    const [inner] = childrenExactly(der, fields[index++]!, 1, 1, 'version');
    version = readSmallInteger(der, inner!, 'version');
  }
  const next = (what: string) => {
    const node = fields[index++];
    if (!node) throw new PkiError('malformed_der', `TBSCertificate: missing ${what}`);
    return node;
  };
  const serial = readIntegerBytes(der, next('serialNumber'), 'serialNumber');
  const [algorithm] = childrenExactly(
    der,
    expect(next('signature'), TAG.sequence, 'signature'),
    1,
    2,
    'signature',
  );
  const signatureAlgorithmOid = readOid(der, algorithm!, 'signature');
  const issuerNode = next('issuer');
  readNameAttributes(der, issuerNode);
  const [notBefore, notAfter] = childrenExactly(
    der,
    expect(next('validity'), TAG.sequence, 'validity'),
    2,
    2,
    'validity',
  );
  const subjectNode = next('subject');
  const subjectAttributes = readNameAttributes(der, subjectNode);
  const publicKey = readSubjectPublicKeyInfo(
    encodedOf(der, expect(next('subjectPublicKeyInfo'), TAG.sequence, 'subjectPublicKeyInfo')),
  );
  let extensions: RawExtension[] = [];
  for (; index < fields.length; index++) {
    const field = fields[index]!;
    if (field.tag === 0xa3) {
      if (index !== fields.length - 1)
        throw new PkiError('malformed_der', 'TBSCertificate: data after extensions');
      extensions = readExtensions(der, readNode(der, field.contentStart, field.end));
    } else if (field.tag !== 0x81 && field.tag !== 0x82) {
      throw new PkiError('malformed_der', `TBSCertificate: unexpected field tag 0x${field.tag.toString(16)}`);
    }
  }
  return {
    version,
    serial,
    signatureAlgorithmOid,
    issuer: encodedOf(der, issuerNode),
    notBefore: readTime(der, notBefore!, 'validity'),
    notAfter: readTime(der, notAfter!, 'validity'),
    subject: encodedOf(der, subjectNode),
    subjectAttributes,
    publicKey,
    extensions,
  };
}

export function tbsExtension(tbs: TbsCertificate, oid: string): RawExtension | undefined {
  return tbs.extensions.find((e) => e.oid === oid);
}

/** The SAN of a TBS as encoded (empty when there is none). */
export function tbsAltNames(tbs: TbsCertificate): AltNames {
  const san = tbsExtension(tbs, OID.subjectAltName);
  if (!san) return emptyAltNames();
  const { dns, ip, uri, email } = generalNamesFromValue(san.value);
  return { dns, ip, uri, email };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } → the TBS bytes. */
export function tbsOfCertificate(der: Uint8Array): Uint8Array {
  const [tbs] = childrenExactly(der, readRoot(der, TAG.sequence, 'Certificate'), 3, 3, 'Certificate');
  return encodedOf(der, expect(tbs!, TAG.sequence, 'tbsCertificate'));
}
