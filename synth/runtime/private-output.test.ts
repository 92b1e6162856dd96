import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubevirtInstall } from '../install/install.js';
import { MANIFEST_MODES, synthPrivately } from './private-output.js';

describe('synthPrivately', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvt-synth-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the install, whose Secrets hold private keys, readable by its owner only', () => {
    const outdir = join(dir, 'manifests');
    mkdirSync(outdir, { mode: 0o755 });
    const app = new App({ outdir });
    new KubevirtInstall(app, 'kubevirt');
    synthPrivately(app);
    expect(statSync(outdir).mode & 0o777).toBe(MANIFEST_MODES.dir);
    const files = readdirSync(outdir);
    expect(files.some((f) => readFileSync(join(outdir, f), 'utf8').includes('tls.key'))).toBe(true);
    for (const f of files) expect(statSync(join(outdir, f)).mode & 0o777, f).toBe(MANIFEST_MODES.file);
  });
});
