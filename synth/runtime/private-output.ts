/**
 * Writing an app's manifests so only their owner reads them: the install's Secrets carry private
 * keys (the virt-api serving key, the virt-handler mTLS keys), which a world-readable file would
 * hand to every local user. Files are created 0600 (under umask 077, so never readable by others
 * even for a moment) and the output directory is made 0700.
 */
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdk8s';

/** The modes of the written manifests and of their directory. */
export const MANIFEST_MODES = { file: 0o600, dir: 0o700 } as const;

/** `app.synth()`, with every file it writes private to its owner. */
export function synthPrivately(app: App): void {
  const previous = process.umask(0o077);
  try {
    app.synth();
  } finally {
    process.umask(previous);
  }
  chmodSync(app.outdir, MANIFEST_MODES.dir);
  for (const entry of readdirSync(app.outdir, { withFileTypes: true })) {
    if (entry.isFile()) chmodSync(join(app.outdir, entry.name), MANIFEST_MODES.file);
  }
}
