// End to end, as a user runs it: `kvt run` of a VMI with two NoCloud volumes, a ConfigDrive one and
// a sysprep drive from a ConfigMap, shapes KubeVirt admits. The real guest runs the first NoCloud
// volume's user data, which looks at every disk: as in KubeVirt, both NoCloud disks carry the first
// volume's data (the second volume's own never reaches the guest), the ConfigDrive disk carries its
// own, and the sysprep drive (volume id unattendCD) holds the ConfigMap's autounattend.xml. No QEMU
// is left behind. Runs in CI; skips outside CI when libvirtd or QEMU is missing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { runKvtSession } from '../fixtures/kvt-daemon.js';

const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
const NAME = 'seeds-e2e';
const token = (): string => `token-${randomBytes(6).toString('hex')}`;
const TOKENS = { first: token(), second: token(), drive: token(), sysprep: token() };

/** A token split in two shell words: the shell greps for the whole token, this script never contains it. */
const split = (t: string): string => `"${t.slice(0, 8)}""${t.slice(8)}"`;

/** The first NoCloud volume's user data: counts the disks carrying each token, then reads the sysprep drive. */
const FIRST_USER_DATA = [
  '#!/bin/sh',
  `echo "first user data: ${TOKENS.first}"`,
  'first=0; second=0; drive=0',
  'mkdir -p /mnt/d /mnt/sp',
  'for dev in /dev/vd?; do',
  '  mount -t iso9660 -o ro "$dev" /mnt/d 2>/dev/null || continue',
  `  grep -qs ${split(TOKENS.first)} /mnt/d/user-data && first=$((first + 1))`,
  `  grep -qs ${split(TOKENS.second)} /mnt/d/user-data && second=$((second + 1))`,
  `  grep -qs ${split(TOKENS.drive)} /mnt/d/openstack/latest/user_data && drive=$((drive + 1))`,
  '  umount /mnt/d',
  'done',
  'echo "disks: first=$first second=$second drive=$drive"',
  'mount -t iso9660 -o ro "$(findfs LABEL=unattendCD)" /mnt/sp && echo "sysprep: $(cat /mnt/sp/autounattend.xml)"',
  '',
].join('\n');

function manifest(): string {
  const script = (t: string): string => `#!/bin/sh\necho "${t}"\n`;
  const objects = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-unattend' }, data: { 'autounattend.xml': TOKENS.sysprep } },
    {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: NAME },
      spec: {
        terminationGracePeriodSeconds: 30,
        domain: {
          firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
          devices: { disks: ['seed', 'seed2', 'drive', 'sysprep'].map((name) => ({ name, disk: { bus: 'virtio' } })) },
          resources: { requests: { memory: '96Mi' } },
        },
        volumes: [
          { name: 'seed', cloudInitNoCloud: { userData: FIRST_USER_DATA } },
          { name: 'seed2', cloudInitNoCloud: { userData: script(TOKENS.second) } },
          { name: 'drive', cloudInitConfigDrive: { userData: script(TOKENS.drive) } },
          { name: 'sysprep', sysprep: { configMap: { name: 'e2e-unattend' } } },
        ],
      },
    },
  ];
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

/** `kvt ARGS…` to its end. */
const run = runKvtSession;

describe.skipIf(!IN_CI && !AVAILABLE)('several cloud-init volumes and a sysprep drive in kvt run (real guest)', () => {
  let work = '';

  beforeAll(async () => {
    await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-seeds-e2e-'));
  }, 600_000);

  afterAll(async () => {
    for (const pid of await qemuPids(NAME)) process.kill(pid, 'SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('the guest sees the first NoCloud volume\'s data on both NoCloud disks, the ConfigDrive\'s own, and autounattend.xml on the sysprep drive', async () => {
    const file = join(work, 'seeds.yaml');
    await writeFile(file, manifest());
    const r = await run(['run', '-f', file, '--console', '--wait-for-console', `^sysprep: ${TOKENS.sysprep}$`, '--timeout', '240']);
    expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NAME} \\| first user data: ${TOKENS.first}\\r?$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${NAME} \\| disks: first=2 second=0 drive=1\\r?$`, 'm'));
    expect(r.stdout).not.toContain(`echo "${TOKENS.second}"`);
    expect(await qemuPids(NAME)).toEqual([]);
  }, 400_000);
});
