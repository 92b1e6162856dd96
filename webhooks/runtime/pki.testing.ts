/**
 * A throw-away certificate authority for tests and benchmarks of the webhook server: a self-signed
 * CA and serving certificates it signs, with the serial numbers and names a test asks for. Node's
 * crypto cannot build X.509, so node-forge (a development dependency) signs; the RSA keys come from
 * Node's native generator, which is two orders of magnitude faster than forge's.
 * Never imported by production code.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const DAY_MS = 86_400_000;

/** A PEM certificate and its PEM private key. */
export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a serving certificate is issued for. */
export interface ServingCertRequest {
  /** Hex serial number, e.g. `"1001"`; distinct serials tell two certificates apart in a test. */
  readonly serial: string;
  /** @default ["localhost"] */
  readonly dnsNames?: readonly string[];
  /** @default ["127.0.0.1"] */
  readonly ipAddresses?: readonly string[];
  /** @default "virt-api" */
  readonly commonName?: string;
}

/** A test CA that issues serving certificates. */
export interface TestCa extends PemPair {
  /** Issues a serving certificate signed by this CA. */
  issue(request: ServingCertRequest): PemPair;
}

function newRsaKey(): { forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    forgeKey: forge.pki.privateKeyFromPem(keyPem),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    keyPem,
  };
}

function baseCertificate(serial: string, publicKey: forge.pki.PublicKey, commonName: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial;
  // A minute of slack for clocks; a day of validity is plenty for one test run.
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + DAY_MS);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** Creates a self-signed CA (RSA 2048, SHA-256). */
export function createTestCa(commonName = 'kubevirt-ts test CA'): TestCa {
  const caKey = newRsaKey();
  const caCert = baseCertificate('01', caKey.forgePublic, commonName);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKey.forgeKey, forge.md.sha256.create());
  const issue = (request: ServingCertRequest): PemPair => {
    const key = newRsaKey();
    const cert = baseCertificate(request.serial, key.forgePublic, request.commonName ?? 'virt-api');
    cert.setIssuer(caCert.subject.attributes);
    const dns = (request.dnsNames ?? ['localhost']).map((value) => ({ type: 2, value }));
    const ips = (request.ipAddresses ?? ['127.0.0.1']).map((ip) => ({ type: 7, ip }));
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns, ...ips] },
    ]);
    cert.sign(caKey.forgeKey, forge.md.sha256.create());
    return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem };
  };
  return { certPem: forge.pki.certificateToPem(caCert), keyPem: caKey.keyPem, issue };
}

/** The serial number of a PEM certificate, upper-case hex as Node reports it. */
export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber;
}
