// A persistent TPM in REAL private libvirtds (session mode, as the unprivileged QEMU user when the
// tests run as root, as CI does): the converter's domain with `tpm: { persistent: true }` is
// defined, its swtpm directory linked to the VM's state directory, and started under TCG (no
// bootable disk: it idles in SeaBIOS). libvirt runs swtpm_setup and swtpm as the daemon's user and
// the state lands in the VM's directory; the daemon is stopped (its own directories go), a second
// daemon starts the same VM again and finds the state (swtpm_setup does not run again: its config
// never appears in the new daemon), and removing the VM's state leaves nothing. Skips only outside
// CI when libvirtd, virsh, QEMU or swtpm is absent.
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../../test/fixtures/host.js';
import { startTestLibvirt, type TestLibvirt } from '../../test/fixtures/libvirt.js';
import { swtpmProcessesUnder } from '../../test/fixtures/swtpm.js';
import { testContext } from '../../test/builders/context.js';
import { newVmi, withDevices, withName } from '../../test/builders/vmi.js';
import { convertVmiToDomain } from '../converter/index.js';
import { decodeDomain, encodeDomain } from '../domain/xml.js';
import { stateOwnerOf } from '../vm-state.js';
import { linkTpmState, prepareTpmState, removeVmState } from './tpm-state.js';
import { grantWrite } from './unprivileged-user.js';

const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'swtpm', 'swtpm_setup']);
const VM_UID = '3b0c2a57-9d7e-4f4e-8a44-4d1f0c7e9a21';

describe.skipIf(!AVAILABLE && !IN_CI)('a persistent TPM in a real libvirtd with swtpm', () => {
  let root = '';
  let dataDir = '';
  const vmi = newVmi(withName('tpm-vm'), withDevices({ tpm: { persistent: true } }));
  vmi.metadata.ownerReferences = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'tpm-vm', uid: VM_UID, controller: true, blockOwnerDeletion: true }];

  beforeAll(async () => {
    if (!AVAILABLE) throw new Error('libvirtd, virsh, QEMU, swtpm and swtpm_setup are required in CI (scripts/launcher-deps.sh)');
    root = await mkdtemp(join(tmpdir(), 'kvt-tpm-'));
    await chmod(root, 0o711);
    dataDir = join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** One launcher's life: a fresh daemon, define, link, start; returns what it saw; stops it all. */
  async function boot(prefix: string): Promise<{ swtpm: { pid: number; uid: number }[]; setupRan: boolean; liveTpm: string; user: number | undefined }> {
    const libvirt: TestLibvirt = await startTestLibvirt(prefix);
    try {
      const { user, baseDir, hypervisor: h } = libvirt;
      if (user !== undefined) {
        await chown(dataDir, 0, user.gid);
        await chmod(dataDir, 0o750);
      }
      const guestDir = join(baseDir, 'guest');
      await mkdir(guestDir);
      if (user !== undefined) await grantWrite(guestDir, user);
      const ctx = testContext({
        kvmUsable: false, allowEmulation: true, networkMode: 'user',
        serialSocketPath: join(guestDir, 'serial0'), serialLogPath: join(guestDir, 'serial0.log'), vncSocketPath: join(guestDir, 'vnc'),
      });
      const name = await h.define(encodeDomain(convertVmiToDomain(vmi, ctx)));
      const uuid = decodeDomain(await h.domainXml(name)).uuid ?? '';
      const swtpmDir = await prepareTpmState(stateOwnerOf(vmi), { dataDir, ...(user === undefined ? {} : { qemuUser: user }) });
      await linkTpmState(baseDir, uuid, swtpmDir, user);
      await h.start(name);
      try {
        const liveTpm = /<tpm [\s\S]*?<\/tpm>/.exec(await h.domainXml(name))?.[0] ?? '';
        const swtpm = await swtpmProcessesUnder(dataDir);
        const setupRan = await stat(join(baseDir, 'cfg', 'swtpm_setup.conf')).then(() => true, () => false);
        return { swtpm, setupRan, liveTpm, user: user?.uid };
      } finally {
        await h.destroy(name);
        await h.undefine(name);
      }
    } finally {
      await libvirt.stop();
    }
  }

  const statePath = (): string => join(dataDir, 'vm-state', 'default', 'tpm-vm', VM_UID, 'swtpm', 'tpm2', 'tpm2-00.permall');

  it('keeps the state with the VM across launchers, swtpm running as the QEMU user, and removes it with the VM', async () => {
    const first = await boot('kvt-tpa-');
    expect(first.liveTpm).toMatch(/<tpm model=['"]tpm-crb['"]>\s*<backend type=['"]emulator['"] version=['"]2\.0['"] persistent_state=['"]yes['"]\/>/);
    expect(first.swtpm).toHaveLength(1);
    if (first.user !== undefined) expect(first.swtpm[0]?.uid).toBe(first.user);
    expect(first.setupRan).toBe(true);
    const state = await stat(statePath());
    expect(state.mode & 0o777).toBe(0o600);
    if (first.user !== undefined) expect(state.uid).toBe(first.user);

    // The launcher and its daemon are gone; the state is not, and no swtpm is left.
    expect(await swtpmProcessesUnder(dataDir)).toEqual([]);
    const before = await readFile(statePath());

    const second = await boot('kvt-tpb-');
    expect(second.swtpm).toHaveLength(1);
    // libvirt found manufactured state in the VM's directory: no swtpm_setup this time.
    expect(second.setupRan).toBe(false);
    expect((await readFile(statePath())).length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);

    expect(await removeVmState(dataDir, stateOwnerOf(vmi))).toBe(true);
    expect(await readdir(join(dataDir, 'vm-state'))).toEqual([]);
    expect(await swtpmProcessesUnder(dataDir)).toEqual([]);
  }, 180_000);
});
