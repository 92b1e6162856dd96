// End to end, as a user runs it: `kvt run` of a Secret, a ConfigMap and a VMI that takes its
// cloud-init user data from the Secret (`cloudInitNoCloud.secretRef`) and has the ConfigMap and a
// second Secret as disks. The real guest runs the user data, which mounts the two disks by their
// labels: each random token reaches the serial console, so every object went API → launcher pod
// volume → launcher → ISO → guest. (The bug this guards: the Secret applied in the same run failed
// the VMI with `ConversionFailed: Secret "…" does not exist`.) No QEMU is left behind. Runs in CI;
// skips outside CI when libvirtd or QEMU is missing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { runKvtSession } from '../fixtures/kvt-daemon.js';

const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
const NAME = 'objects-e2e';
const token = (): string => `token-${randomBytes(6).toString('hex')}`;
const TOKENS = { userData: token(), configMap: token(), secret: token() };

/** The user data: prints its own token, then the tokens on the ConfigMap's and the Secret's disks. */
const USER_DATA = [
  '#!/bin/sh',
  `echo "user data from a Secret: ${TOKENS.userData}"`,
  'mkdir -p /mnt/cm /mnt/sec',
  'mount -t iso9660 -o ro "$(findfs LABEL=kvtcm)" /mnt/cm && echo "configMap disk: $(cat /mnt/cm/token)"',
  'mount -t iso9660 -o ro "$(findfs LABEL=kvtsec)" /mnt/sec && echo "secret disk: $(cat /mnt/sec/token)"',
  '',
].join('\n');

function manifest(): string {
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e2e-userdata' }, stringData: { userdata: USER_DATA } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e2e-settings' }, data: { token: TOKENS.configMap } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e2e-creds' }, data: { token: Buffer.from(TOKENS.secret).toString('base64') } },
    {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: NAME },
      spec: {
        terminationGracePeriodSeconds: 30,
        domain: {
          firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
          devices: { disks: ['cloudinitdisk', 'settings', 'creds'].map((name) => ({ name, disk: { bus: 'virtio' } })) },
          resources: { requests: { memory: '96Mi' } },
        },
        volumes: [
          { name: 'cloudinitdisk', cloudInitNoCloud: { secretRef: { name: 'e2e-userdata' } } },
          { name: 'settings', configMap: { name: 'e2e-settings', volumeLabel: 'kvtcm' } },
          { name: 'creds', secret: { secretName: 'e2e-creds', volumeLabel: 'kvtsec' } },
        ],
      },
    },
  ];
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

/** `kvt ARGS…` to its end. */
const run = runKvtSession;

describe.skipIf(!IN_CI && !AVAILABLE)('Secrets and ConfigMaps reach the guest in kvt run (real guest)', () => {
  let work = '';

  beforeAll(async () => {
    await ensureDemoGuest();
    work = await mkdtemp(join(tmpdir(), 'kvt-objects-e2e-'));
  }, 600_000);

  afterAll(async () => {
    for (const pid of await qemuPids(NAME)) process.kill(pid, 'SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('cloud-init user data from a Secret runs, and the ConfigMap and Secret disks hold their keys', async () => {
    const file = join(work, 'objects.yaml');
    await writeFile(file, manifest());
    const r = await run(['run', '-f', file, '--console', '--wait-for-console', `^secret disk: ${TOKENS.secret}$`, '--timeout', '240']);
    expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toMatch(/^secret\/e2e-userdata created$/m);
    expect(r.stdout).toMatch(new RegExp(`^${NAME} \\| user data from a Secret: ${TOKENS.userData}\\r?$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${NAME} \\| configMap disk: ${TOKENS.configMap}\\r?$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${NAME} \\| secret disk: ${TOKENS.secret}\\r?$`, 'm'));
    expect(r.stdout).not.toContain('ConversionFailed');
    expect(await qemuPids(NAME)).toEqual([]);
  }, 400_000);
});
