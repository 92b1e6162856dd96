/**
 * The serving certificate of the webhook server: read and checked as a pair, and re-read when its
 * files change (cert-manager or a rotated Secret rewrites them in place). A pair that does not
 * load (unreadable, not PEM, key not matching the certificate, half-written) is logged and the
 * previous one kept; connections already open keep the context they were accepted with.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from '../../core/log.js';
import { watchForChanges, type ChangeWatcher } from './file-watch.js';
import { KubevirtError } from '../../core/errors.js';

/** Oldest protocol the server speaks (the apiserver speaks 1.2 and 1.3). */
export const TLS_MIN_VERSION = 'TLSv1.2';

/** Where the PEM certificate (chain) and private key are. */
export interface ServingCertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate and key that were read together and belong together. */
export interface ServingCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Hash of both files' bytes: what the watch compares. */
  readonly fingerprint: string;
  /** Hex serial of the leaf certificate, for logs. */
  readonly serial: string;
  /** The leaf's expiry as X.509 prints it, for logs. */
  readonly validTo: string;
}

/** The secure-context options of a pair: the same for the first context and every replacement. */
export function secureContextOptions(pair: Pick<ServingCertificate, 'cert' | 'key'>): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

function fingerprintOf(cert: Buffer, key: Buffer): string {
  return createHash('sha256').update(cert).update('\0').update(key).digest('hex');
}

/** A problem with the certificate files; the cause holds the file or OpenSSL error. */
export class ServingCertificateError extends KubevirtError {}

/** Reads the pair and checks it (PEM, matching key) by building a secure context from it. */
export async function readServingCertificate(files: ServingCertFiles): Promise<ServingCertificate> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  } catch (e: unknown) {
    throw new ServingCertificateError(`could not read ${files.certFile} or ${files.keyFile}`, { cause: e });
  }
  try {
    createSecureContext(secureContextOptions({ cert, key }));
    const leaf = new X509Certificate(cert);
    return { cert, key, fingerprint: fingerprintOf(cert, key), serial: leaf.serialNumber, validTo: leaf.validTo };
  } catch (e: unknown) {
    throw new ServingCertificateError(`${files.certFile} and ${files.keyFile} are not a usable certificate and key pair`, { cause: e });
  }
}

/** The fingerprint of the files as they are now; a missing file gives a fingerprint of its own. */
export async function currentCertFingerprint(files: ServingCertFiles): Promise<string> {
  try {
    const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
    return fingerprintOf(cert, key);
  } catch (e: unknown) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
}

/** Options of {@link watchServingCertificate}. */
export interface CertWatchOptions {
  /** The pair in use now; its fingerprint is the watch's starting point. */
  readonly loaded: ServingCertificate;
  /** Takes a new pair into use (the server's `setSecureContext`). */
  readonly onLoaded: (pair: ServingCertificate) => void;
  /** Period of the fallback check. @default 10000 */
  readonly pollMs?: number;
  readonly log: Logger;
}

/** Re-reads the pair whenever its files change and hands every good new pair to `onLoaded`. */
export function watchServingCertificate(files: ServingCertFiles, options: CertWatchOptions): ChangeWatcher {
  const { log } = options;
  let inUse = options.loaded.fingerprint;
  const reload = async (): Promise<void> => {
    let pair: ServingCertificate;
    try {
      pair = await readServingCertificate(files);
    } catch (err: unknown) {
      log.error({ err, certFile: files.certFile, keyFile: files.keyFile }, 'Could not reload serving certificate; kept the previous one');
      return;
    }
    if (pair.fingerprint === inUse) return;
    try {
      options.onLoaded(pair);
    } catch (err: unknown) {
      log.error({ err, serial: pair.serial }, 'Could not switch to the new serving certificate; kept the previous one');
      return;
    }
    inUse = pair.fingerprint;
    log.info({ serial: pair.serial, validTo: pair.validTo, certFile: files.certFile }, 'Reloaded serving certificate');
  };
  const dirs = [...new Set([dirname(files.certFile), dirname(files.keyFile)])];
  return watchForChanges({
    dirs,
    initial: options.loaded.fingerprint,
    fingerprint: () => currentCertFingerprint(files),
    onChange: reload,
    pollMs: options.pollMs ?? 10_000,
    log,
  });
}
