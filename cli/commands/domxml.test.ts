// `kvt domxml` as a user runs it: admission defaults, then KubeVirt's cluster mapping with its
// in-pod paths (no local store needed), or with --emulation the local mapping with this machine's
// paths; its XML must be valid libvirt XML (virt-xml-validate), and bad input is named by field.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDomain } from '../../launcher/domain/xml.js';
import { ensureDemoGuest } from '../../test/fixtures/demo-guest.js';
import { runKvt } from '../kvt.js';

const run = promisify(execFile);

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

let work = '';
beforeAll(async () => {
  await ensureDemoGuest();
  work = await mkdtemp(join(tmpdir(), 'kvt-domxml-'));
}, 600_000);
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

async function validXml(xml: string): Promise<void> {
  const file = join(work, `d-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(file, xml);
  await run('virt-xml-validate', [file, 'domain']);
}

describe('kvt domxml', () => {
  it.each([
    'examples/vmi-kernel-boot.yaml', 'examples/vmi-efi.yaml', 'examples/vmi-sata-masquerade.yaml', 'examples/vmi-ephemeral-emptydisk.yaml',
  ])('prints valid domain XML for %s', async (example) => {
    const r = await kvt('domxml', example);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await validXml(r.out);
    const domain = decodeDomain(r.out);
    expect(domain.type).toBe('kvm');
    expect(domain.name).toMatch(/^default_/);
  });

  it('converts a VM through its template, named after the VM, and honours --emulation', async () => {
    const r = await kvt('domxml', '--emulation', 'examples/vm-containerdisk-cloudinit.yaml');
    expect(r.code).toBe(0);
    const domain = decodeDomain(r.out);
    expect(domain.type).toBe('qemu');
    expect(domain.name).toMatch(/^default_\w/);
    expect(domain.devices.disks.find((d) => d.alias?.name === 'ua-containerdisk')?.backingStore?.format?.type).toBe('raw');
    await validXml(r.out);
  });

  it('applies the instancetype and preference a VM names, as KubeVirt\'s VM controller does for the VMI it creates', async () => {
    const r = await kvt('domxml', 'examples/vm-instancetype-preference.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const domain = decodeDomain(r.out);
    // csmall: 1 vCPU and 128Mi of memory (the template asks for neither).
    expect(domain.memory).toMatchObject({ value: 128 * 2 ** 20 });
    expect(domain.vcpus?.vcpus.filter((v) => v.enabled === 'yes')).toHaveLength(1);
    await validXml(r.out);
  });

  it('names the field of a disk without a volume and exits 1', async () => {
    const file = join(work, 'orphan.yaml');
    await writeFile(file, 'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: orphan}\nspec:\n  domain:\n    devices:\n      disks: [{name: nope, disk: {bus: virtio}}]\n    resources: {requests: {memory: 64Mi}}\n');
    const r = await kvt('domxml', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^VirtualMachineInstance\/orphan: spec\.domain\.devices\.disks\[0\]\.name: /m);
  });

  it('reports schema problems as kvt validate does, and refuses two VMIs', async () => {
    const bad = join(work, 'bad.yaml');
    await writeFile(bad, 'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: bad}\nspec:\n  domain:\n    devices: {disks: {}}\n');
    expect(await kvt('domxml', bad)).toMatchObject({ code: 1, err: expect.stringContaining('VirtualMachineInstance/bad: spec.domain.devices.disks: must be array') });
    const two = join(work, 'two.yaml');
    await writeFile(two, 'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: a}\nspec: {domain: {devices: {}}}\n---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: b}\nspec: {domain: {devices: {}}}\n');
    expect(await kvt('domxml', two)).toMatchObject({ code: 1, err: expect.stringMatching(/expected exactly one .* found VirtualMachineInstance\/a, VirtualMachineInstance\/b/) });
  });

  it('prints the cluster mapping of an image the local store lacks, with KubeVirt\'s in-pod paths; --emulation names the missing image', async () => {
    const file = join(work, 'remote.yaml');
    await writeFile(file, [
      'apiVersion: kubevirt.io/v1', 'kind: VirtualMachineInstance', 'metadata: {name: remote, namespace: ns1, uid: 0e3c1b8a-0000-4000-8000-000000000001}', 'spec:', '  domain:',
      '    devices: {disks: [{name: root, disk: {}}, {name: ci, disk: {}}, {name: ci2, cdrom: {tray: open}}, {name: sp, cdrom: {}}]}',
      '    resources: {requests: {memory: 64Mi}}', '  volumes:',
      // Never: --emulation must not reach for a registry outside this machine.
      '  - {name: root, containerDisk: {image: quay.io/kubevirt/cirros-container-disk-demo:v1.0, imagePullPolicy: Never}}',
      '  - {name: ci, cloudInitNoCloud: {userData: "#cloud-config"}}',
      '  - {name: ci2, cloudInitNoCloud: {userData: "#cloud-config"}}',
      '  - {name: sp, sysprep: {secret: {name: unattend}}}', '',
    ].join('\n'));
    const r = await kvt('domxml', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await validXml(r.out);
    const domain = decodeDomain(r.out);
    const disk = (alias: string) => domain.devices.disks.find((d) => d.alias?.name === `ua-${alias}`);
    expect(disk('root')?.source?.file).toBe('/var/run/kubevirt-ephemeral-disks/disk-data/root/disk.qcow2');
    expect(disk('root')?.backingStore?.source?.file).toBe('/var/run/kubevirt/container-disks/disk_0.img');
    // KubeVirt points every NoCloud disk at the one ISO of the VMI.
    expect(disk('ci')?.source?.file).toBe('/var/run/kubevirt-ephemeral-disks/cloud-init-data/ns1/remote/noCloud.iso');
    expect(disk('ci2')?.source?.file).toBe('/var/run/kubevirt-ephemeral-disks/cloud-init-data/ns1/remote/noCloud.iso');
    expect(disk('ci2')?.target.tray).toBe('open');
    expect(disk('sp')?.source?.file).toBe('/var/run/kubevirt-private/sysprep-disks/sp.iso');
    expect(r.out).toContain('/var/run/kubevirt-private/0e3c1b8a-0000-4000-8000-000000000001/virt-serial0');

    const local = await kvt('domxml', '--emulation', file);
    expect(local.code).toBe(1);
    expect(local.err).toMatch(/spec\.volumes\[0\]\.containerDisk.*quay\.io\/kubevirt\/cirros-container-disk-demo:v1\.0 is not in the local image store and its imagePullPolicy is Never/s);
  });
});

describe('kvt virt-launcher (command line)', () => {
  it('refuses a bad command line with exit 2', async () => {
    expect(await kvt('virt-launcher')).toMatchObject({ code: 1, err: expect.stringContaining('name one FILE') });
    expect(await kvt('virt-launcher', '--accel', 'warp', 'x.yaml')).toMatchObject({ code: 1, err: expect.stringContaining('--accel must be one of auto, kvm, emulation') });
  });

  it('exits 1 with the problem for an invalid VMI, before starting anything', async () => {
    const file = join(work, 'invalid.yaml');
    await writeFile(file, 'apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: inv}\nspec: {domain: {devices: {}, memory: {guest: 12x}}}\n');
    expect(await kvt('virt-launcher', file)).toMatchObject({ code: 1, err: expect.stringContaining('spec.domain.memory.guest: must match quantity format') });
  });
});
