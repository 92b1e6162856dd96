/**
 * The certificates made at synth time. The webhook serving certificate: a self-signed CA (its
 * certificate becomes the webhook configurations' and the APIService's `caBundle`) and a serving
 * certificate for the virt-api Service's DNS names, signed by it. The component certificates: a
 * second CA (KubeVirt's kubevirt-ca) signing virt-handler's REST serving certificate and virt-api's
 * client certificate for it (the names both sides check: core/virt-handler-endpoint.ts). Keys come
 * from Node's native RSA generator; node-forge builds the X.509 (Node's crypto cannot). Every synth
 * draws new keys and serials: manifests/ is not committed.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { COMPONENT_CERT_NAMES } from '../../core/virt-handler-endpoint.js';

/** The PEM material the install needs. */
export interface ServingPki {
  /** The CA certificate (PEM): what the API server trusts for our webhooks. */
  readonly caCertPem: string;
  /** The serving certificate (PEM), signed by the CA. */
  readonly certPem: string;
  /** The serving certificate's private key (PEM, PKCS#1). */
  readonly keyPem: string;
}

interface ForgeKey {
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.PublicKey;
  readonly pem: string;
}

function rsaKey(): ForgeKey {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey: forge.pki.privateKeyFromPem(pem), publicKey: forge.pki.publicKeyFromPem(publicPem), pem };
}

/** A positive random serial (the top bit cleared so DER never reads it as negative). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function certificate(subject: string, key: ForgeKey, now: Date, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

interface Authority {
  readonly cert: forge.pki.Certificate;
  readonly key: ForgeKey;
}

function authority(name: string, now: Date, days: number): Authority {
  const key = rsaKey();
  const cert = certificate(name, key, now, days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { cert, key };
}

/** A leaf certificate of `ca` for `commonName`, for a server or a client. */
function leaf(ca: Authority, subject: { readonly commonName: string; readonly use: 'serverAuth' | 'clientAuth' }, now: Date, days: number): { certPem: string; keyPem: string } {
  const { commonName, use } = subject;
  const key = rsaKey();
  const cert = certificate(commonName, key, now, days);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', [use]: true },
  ]);
  cert.sign(ca.key.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.pem };
}

/** The component CA and the two certificates of the virt-api → virt-handler calls. */
export interface ComponentPki {
  readonly caCertPem: string;
  /** virt-handler's REST serving certificate and key. */
  readonly handlerCertPem: string;
  readonly handlerKeyPem: string;
  /** virt-api's client certificate and key for those calls. */
  readonly apiClientCertPem: string;
  readonly apiClientKeyPem: string;
}

/** Generates the component CA and both certificates, valid for `days`. */
export function generateComponentPki(days: number, now: Date = new Date()): ComponentPki {
  const ca = authority('kubevirt-ts component CA', now, days);
  const handler = leaf(ca, { commonName: COMPONENT_CERT_NAMES.handlerServer, use: 'serverAuth' }, now, days);
  const client = leaf(ca, { commonName: COMPONENT_CERT_NAMES.apiClient, use: 'clientAuth' }, now, days);
  return {
    caCertPem: forge.pki.certificateToPem(ca.cert),
    handlerCertPem: handler.certPem, handlerKeyPem: handler.keyPem,
    apiClientCertPem: client.certPem, apiClientKeyPem: client.keyPem,
  };
}

/**
 * Generates a CA valid for `days` and a serving certificate for `dnsNames` (the first is the
 * common name) signed by it, valid as long.
 */
export function generateServingPki(dnsNames: readonly string[], days: number, now: Date = new Date()): ServingPki {
  const [commonName] = dnsNames;
  if (commonName === undefined) throw new Error('generateServingPki: dnsNames must name at least one DNS name');
  const { cert: ca, key: caKey } = authority('kubevirt-ts webhook CA', now, days);
  const servingKey = rsaKey();
  const serving = certificate(commonName, servingKey, now, days);
  serving.setIssuer(ca.subject.attributes);
  serving.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  serving.sign(caKey.privateKey, forge.md.sha256.create());
  return { caCertPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(serving), keyPem: servingKey.pem };
}
