// A persistent TPM's state directory on a real filesystem: created private (the QEMU user's swtpm
// directory 0700 below root's 0750 directories when run as root, as CI is), linked where the
// session libvirtd looks for it, and removed without following links. tpm-state.integration.test.ts
// runs it with a real libvirtd and swtpm.
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IN_CI, IS_ROOT, haveTools } from '../../test/fixtures/host.js';
import type { StateOwner } from '../vm-state.js';
import { assertSwtpmInstalled, linkTpmState, prepareTpmState, removeVmState, sessionSwtpmDir } from './tpm-state.js';
import { ensureUnprivilegedUser, type UnprivilegedUser } from './unprivileged-user.js';

const VM: StateOwner = { kind: 'VirtualMachine', namespace: 'default', name: 'win', uid: '11111111-2222-4333-8444-555555555555' };
const OTHER: StateOwner = { ...VM, uid: '66666666-7777-4888-9999-aaaaaaaaaaaa' };
const DOMAIN_UUID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

describe('persistent TPM state directories', () => {
  let root = '';
  let dataDir = '';
  let user: UnprivilegedUser | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-tpm-state-'));
    dataDir = join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    await chmod(root, 0o711);
    user = IS_ROOT ? await ensureUnprivilegedUser() : undefined;
    // As ensureDataDir leaves it: the QEMU user's group may pass (as root), nobody else.
    if (user !== undefined) {
      await chown(dataDir, 0, user.gid);
      await chmod(dataDir, 0o750);
    }
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const opts = (): { dataDir: string; qemuUser?: UnprivilegedUser } => ({ dataDir, ...(user === undefined ? {} : { qemuUser: user }) });
  const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;

  it('creates <dataDir>/vm-state/<ns>/<name>/<uid>/swtpm: swtpm\'s 0700, its parents never world-readable', async () => {
    const swtpm = await prepareTpmState(VM, opts());
    expect(swtpm).toBe(join(dataDir, 'vm-state', 'default', 'win', VM.uid, 'swtpm'));
    const info = await stat(swtpm);
    expect(info.mode & 0o7777).toBe(0o700);
    if (user !== undefined) expect([info.uid, info.gid]).toEqual([user.uid, user.gid]);
    for (const dir of ['vm-state', 'vm-state/default', 'vm-state/default/win', `vm-state/default/win/${VM.uid}`]) {
      const parent = await stat(join(dataDir, dir));
      expect(parent.mode & 0o007).toBe(0);
      if (user !== undefined) expect([parent.uid, parent.gid, parent.mode & 0o777]).toEqual([0, user.gid, 0o750]);
    }
  });

  it('reuses an existing directory and narrows it again', async () => {
    const swtpm = await prepareTpmState(VM, opts());
    await mkdir(join(swtpm, 'tpm2'));
    await writeFile(join(swtpm, 'tpm2', 'tpm2-00.permall'), 'state');
    await chmod(swtpm, 0o755);
    expect(await prepareTpmState(VM, opts())).toBe(swtpm);
    expect(await modeOf(swtpm)).toBe(0o700);
    expect(await readFile(join(swtpm, 'tpm2', 'tpm2-00.permall'), 'utf8')).toBe('state');
  });

  it.each([
    ['the swtpm directory', (vmDir: string) => join(vmDir, 'swtpm')],
    ['the VM\'s directory', (vmDir: string) => vmDir],
  ])('refuses a link planted as %s', async (_what, where) => {
    const vmDir = join(dataDir, 'vm-state', 'default', 'win', VM.uid);
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await mkdir(join(vmDir, '..'), { recursive: true });
    if (where(vmDir) !== vmDir) await mkdir(vmDir);
    await symlink(elsewhere, where(vmDir));
    await expect(prepareTpmState(VM, opts())).rejects.toThrow(/not a directory/);
  });

  it('links the daemon\'s swtpm directory of the domain to the VM\'s', async () => {
    const swtpm = await prepareTpmState(VM, opts());
    const daemonDir = join(root, 'd');
    await mkdir(join(daemonDir, 'cfg', 'libvirt'), { recursive: true, mode: 0o700 });
    await linkTpmState(daemonDir, DOMAIN_UUID, swtpm, user);
    const link = join(sessionSwtpmDir(daemonDir), DOMAIN_UUID);
    expect(link).toBe(join(daemonDir, 'cfg', 'libvirt', 'qemu', 'swtpm', DOMAIN_UUID));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(swtpm);
    if (user !== undefined) expect((await stat(sessionSwtpmDir(daemonDir))).uid).toBe(user.uid);
  });

  it('refuses a domain uuid that is not a UUID', async () => {
    await expect(linkTpmState(join(root, 'd'), '../../etc', join(root, 'x'), user)).rejects.toThrow(/not a lower-case UUID/);
  });

  it('removes one VM\'s state and the directories it leaves empty, never following a link', async () => {
    const swtpm = await prepareTpmState(VM, opts());
    await prepareTpmState(OTHER, opts());
    const outside = join(root, 'outside.txt');
    await writeFile(outside, 'keep me');
    await symlink(outside, join(swtpm, 'link'));
    expect(await removeVmState(dataDir, VM)).toBe(true);
    await expect(stat(join(dataDir, 'vm-state', 'default', 'win', VM.uid))).rejects.toThrow(/ENOENT/);
    expect(await readFile(outside, 'utf8')).toBe('keep me');
    // The other VM of the same name (an earlier or later one) keeps its state, and so its parents.
    expect((await stat(join(dataDir, 'vm-state', 'default', 'win', OTHER.uid, 'swtpm'))).isDirectory()).toBe(true);
    expect(await removeVmState(dataDir, OTHER)).toBe(true);
    await expect(stat(join(dataDir, 'vm-state', 'default'))).rejects.toThrow(/ENOENT/);
    expect((await stat(join(dataDir, 'vm-state'))).isDirectory()).toBe(true);
    expect(await removeVmState(dataDir, OTHER)).toBe(false);
  });
});

describe('assertSwtpmInstalled', () => {
  it('refuses a PATH without swtpm and swtpm_setup, naming the Debian packages', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kvt-no-swtpm-'));
    try {
      await expect(assertSwtpmInstalled(empty)).rejects.toThrow('needs swtpm (Debian: swtpm) and swtpm_setup (Debian: swtpm-tools): install them with `apt-get install swtpm swtpm-tools`');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(!IN_CI && !haveTools(['swtpm', 'swtpm_setup']))('accepts this host\'s PATH, where scripts/launcher-deps.sh installed them', async () => {
    await expect(assertSwtpmInstalled('/usr/local/bin:/usr/bin:/bin')).resolves.toBeUndefined();
  });
});
