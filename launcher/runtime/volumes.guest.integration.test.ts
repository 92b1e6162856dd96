// The whole volume path, as a guest sees it: prepareVolumes makes the demo guest's overlay and a
// NoCloud ISO and shares its kernel and initrd, then QEMU, running as the unprivileged QEMU user
// (TCG; see TEST-GUEST.md), boots from exactly those files and prints the user-data token. Proves
// the grants: no file is readable by QEMU by accident of running as root. Skips outside CI when
// QEMU is absent or we are not root; under CI=true neither may be missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staticObjectSource } from '../volumes/index.js';
import { defaultDataDir, imageStoreRoot } from './data-dir.js';
import { openImageStore } from './image-store.js';
import { DEMO_GUEST_REF } from './image-store-errors.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';
import { IN_CI, ensureDemoGuest } from '../../test/fixtures/demo-guest.js';
import { checksum, haveTools, testVmi } from './volumes.testing.js';
import { prepareVolumes, type PreparedVolumes } from './volumes.js';

const QEMU = 'qemu-system-x86_64';
const RUNNABLE = haveTools([QEMU, 'qemu-img', 'genisoimage', 'setpriv']) && process.getuid?.() === 0;

function waitFor(output: { text: string }, pattern: RegExp, child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${pattern} within ${timeoutMs} ms; console:\n${output.text}`)), timeoutMs);
    const check = (): void => {
      if (!pattern.test(output.text)) return;
      clearTimeout(timer);
      done();
    };
    child.stdout?.on('data', check);
    child.once('exit', () => { clearTimeout(timer); check(); fail(new Error(`QEMU exited; console:\n${output.text}`)); });
    check();
  });
}

describe.skipIf(!IN_CI && !RUNNABLE)('the demo guest boots from prepared volumes as the QEMU user', () => {
  let work = '';
  let qemu: ChildProcess | undefined;
  let prepared: PreparedVolumes | undefined;

  afterEach(async () => {
    if (qemu !== undefined && qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    await prepared?.cleanup();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('prints its NoCloud token, and the base image is unchanged', async () => {
    const store = openImageStore(imageStoreRoot(defaultDataDir()));
    const image = await ensureDemoGuest(store);
    const user = await ensureUnprivilegedUser();
    work = await mkdtemp(join(tmpdir(), 'kvt-vol-guest-'));
    const vmiDir = join(work, 'vmi');
    const qemuDir = join(work, 'q');
    await mkdir(vmiDir, { mode: 0o711 });
    await mkdir(join(work, 'volumes'), { mode: 0o711 });
    await mkdir(qemuDir, { mode: 0o700 });
    await chown(qemuDir, user.uid, user.gid);
    await chmod(work, 0o711);
    const token = `kvt-token-${randomBytes(6).toString('hex')}`;
    const before = await checksum(image.disk?.path ?? '');
    const vmi = testVmi([
      { name: 'rootdisk', containerDisk: { image: DEMO_GUEST_REF } },
      { name: 'cloudinit', cloudInitNoCloud: { userData: `#!/bin/sh\necho '${token}'\necho '"<>& ]]>'\n` } },
    ], { domain: { devices: { disks: [{ name: 'rootdisk', disk: {} }, { name: 'cloudinit', disk: {} }] }, firmware: {
      uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223', kernelBoot: { container: { image: DEMO_GUEST_REF, kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } } } });
    prepared = await prepareVolumes(vmi, { vmiDir, volumeStore: join(work, 'volumes'), imageStore: store, objects: staticObjectSource({}), qemuUser: user });
    const v = prepared.volumes;
    const child = spawn('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', QEMU,
      '-nodefaults', '-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot',
      '-kernel', prepared.kernelBoot?.kernel ?? '', '-initrd', prepared.kernelBoot?.initrd ?? '', '-append', 'console=ttyS0 panic=-1',
      '-drive', `file=${v['rootdisk']?.path ?? ''},format=qcow2,if=virtio`,
      '-drive', `file=${v['cloudinit']?.path ?? ''},format=raw,if=virtio`,
      '-serial', 'stdio', '-monitor', `unix:${join(qemuDir, 'monitor.sock')},server=on,wait=off`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    qemu = child;
    const output = { text: '' };
    const append = (chunk: Buffer): void => { output.text += chunk.toString('utf8').replace(/\r/g, ''); };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    await waitFor(output, new RegExp(`^${token}$`, 'm'), child, 120_000);
    await waitFor(output, /^kvt-guest: ready$/m, child, 30_000);
    const lines = output.text.split('\n');
    expect(lines).toContain('kvt-guest: instance-id: 5d307ca9-b3ef-428c-8861-06e72d69f223');
    expect(lines).toContain('kvt-guest: local-hostname: testvmi');
    expect(lines).toContain('"<>& ]]>');
    child.kill('SIGKILL');
    expect(await checksum(image.disk?.path ?? '')).toBe(before);
  }, 840_000);
});
