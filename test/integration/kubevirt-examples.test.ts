// KubeVirt's examples/ (v1.8), one manifest of ours per example with the same fields
// (test/fixtures/kubevirt-examples/, same base names): every one KubeVirt admits without a feature
// gate is admitted here and `kvt domxml` prints its cluster mapping without any local store or
// image, as valid libvirt XML (virt-xml-validate, as the golden tests check). The rest (a feature
// gate, a device this host cannot have, a discontinued binding, another architecture) are refused
// with a cause that says so on the field, each listed below with the reason.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKvt } from '../../cli/kvt.js';
import { decodeDomain } from '../../launcher/domain/xml.js';

const run = promisify(execFile);
const DIR = join(import.meta.dirname, '..', 'fixtures', 'kubevirt-examples');

/** Instancetypes and preferences: KubeVirt's examples keep them in files of their own. */
const SIZES = ['csmall.yaml', 'cluster-csmall.yaml', 'clarge.yaml', 'virtio.yaml', 'windows.yaml'];

interface Converted {
  readonly file: string;
  /** Example files the manifest needs beside it (its instancetype and preference). */
  readonly with?: readonly string[];
  /** Why this one is worth a note (what it needs that KubeVirt gates, or who else works on it). */
  readonly note?: string;
}

const CONVERTED: readonly Converted[] = [
  { file: 'vm-cirros.yaml' },
  { file: 'vm-cirros-sata.yaml' },
  { file: 'vm-priorityclass.yaml' },
  { file: 'vm-cirros-csmall.yaml', with: ['csmall.yaml'] },
  { file: 'vm-cirros-cluster-csmall.yaml', with: ['cluster-csmall.yaml'] },
  { file: 'vm-cirros-clarge.yaml', with: ['clarge.yaml'] },
  { file: 'vm-cirros-clarge-virtio.yaml', with: ['clarge.yaml', 'virtio.yaml'] },
  { file: 'vm-cirros-clarge-windows.yaml', with: ['clarge.yaml', 'windows.yaml'], note: 'the windows preference brings EFI, SMM, Hyper-V and a TPM' },
  { file: 'vm-alpine-datavolume.yaml' },
  { file: 'vm-alpine-multipvc.yaml' },
  { file: 'vmi-ephemeral.yaml' },
  { file: 'vmi-sata.yaml' },
  { file: 'vmi-migratable.yaml' },
  { file: 'vmi-fedora.yaml' },
  { file: 'vmi-nocloud.yaml' },
  { file: 'vmi-alpine-efi.yaml' },
  { file: 'vmi-secureboot.yaml' },
  { file: 'vmi-pvc.yaml' },
  { file: 'vmi-block-pvc.yaml' },
  { file: 'vmi-kernel-boot.yaml' },
  { file: 'vmi-masquerade.yaml' },
  { file: 'vmi-multus-ptp.yaml' },
  { file: 'vmi-multus-multiple-net.yaml' },
  { file: 'vmi-preset-small.yaml' },
  // The TPM and the Hyper-V/clock features are another engineer's work (issue 19); this row checks them too.
  { file: 'vmi-windows.yaml', note: 'TPM, Hyper-V enlightenments and Windows timers' },
  // KubeVirt needs its HostDisk feature gate; kubevirt-ts implements hostDisk (files under the
  // launcher's allowed roots) and admits it whatever the gates (webhooks/validate/devices/volume-paths.ts).
  { file: 'vmi-host-disk.yaml', note: 'HostDisk gate in KubeVirt, implemented here' },
];

interface Refused {
  readonly file: string;
  /** Why KubeVirt would refuse it too, or why this host cannot run it. */
  readonly reason: string;
  /** The field the cause names, and words of its message. */
  readonly field: string;
  readonly says: RegExp;
}

const REFUSED: readonly Refused[] = [
  { file: 'vmi-gpu.yaml', reason: 'a GPU this host cannot pass through', field: 'spec.domain.devices.gpus', says: /not supported/ },
  { file: 'vmi-usb.yaml', reason: 'a node USB device (hostDevices)', field: 'spec.domain.devices.hostDevices', says: /not supported/ },
  { file: 'vmi-sriov.yaml', reason: 'an SR-IOV VF (SR-IOV device plugin and Multus)', field: 'spec.domain.devices.interfaces[1].sriov', says: /not supported/ },
  { file: 'vmi-fedora-isolated.yaml', reason: 'dedicated CPUs need the node\'s CPU manager', field: 'spec.domain.cpu.dedicatedCpuPlacement', says: /not supported/ },
  { file: 'vmi-vsock.yaml', reason: 'KubeVirt\'s VSOCK feature gate', field: 'spec.domain.devices.autoattachVSOCK', says: /not supported/ },
  { file: 'vmi-with-sidecar-hook.yaml', reason: 'KubeVirt\'s Sidecar feature gate', field: 'metadata.annotations', says: /not supported/ },
  { file: 'vmi-arm.yaml', reason: 'an arm64 guest on an amd64 host', field: 'spec.architecture', says: /not supported/ },
  { file: 'vmi-slirp.yaml', reason: 'KubeVirt refuses it too: slirp was discontinued in v1.3', field: 'spec.domain.devices.interfaces[0].slirp', says: /discontinued/ },
  { file: 'vmi-macvtap.yaml', reason: 'KubeVirt refuses it too: macvtap was discontinued in v1.3', field: 'spec.domain.devices.interfaces[0].macvtap', says: /discontinued/ },
];

/** Admitted by `kvt validate` only: a replica set has no domain of its own to print. */
const VALIDATED_ONLY = ['vmi-replicaset-cirros.yaml', ...SIZES];

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

let work = '';
beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'kvt-examples-')); });
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

/** The example and the files it needs, as one manifest stream. */
async function manifest(file: string, extra: readonly string[] = []): Promise<string> {
  const texts = await Promise.all([file, ...extra].map((f) => readFile(join(DIR, f), 'utf8')));
  const path = join(work, file);
  await writeFile(path, texts.join('\n---\n'));
  return path;
}

describe('KubeVirt\'s examples', () => {
  it('has a row for every manifest in test/fixtures/kubevirt-examples', async () => {
    // registry-*.yaml are the registry e2e's bootable variants (registry.e2e.test.ts), not examples of their own.
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml') && !f.startsWith('registry-')).sort();
    const covered = [...CONVERTED.map((c) => c.file), ...REFUSED.map((r) => r.file), ...VALIDATED_ONLY].sort();
    expect(files).toEqual(covered);
  });

  it('converts the registry e2e\'s variants too, without a local store', async () => {
    const variants = (await readdir(DIR)).filter((f) => f.startsWith('registry-') && f.endsWith('.yaml'));
    for (const file of variants) {
      const r = await kvt('domxml', '--data-dir', join(work, 'no-such-store'), join(DIR, file));
      expect(r.code, `${file}: ${r.err}`).toBe(0);
      const xml = join(work, `${file}.xml`);
      await writeFile(xml, r.out);
      await run('virt-xml-validate', [xml, 'domain']);
    }
  });

  it.each(CONVERTED)('admits and converts $file without a local store', async ({ file, with: extra }) => {
    // A data dir that does not exist: the cluster mapping must not need one.
    const r = await kvt('domxml', '--data-dir', join(work, 'no-such-store'), await manifest(file, extra));
    expect(r.err.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: '))).toEqual([]);
    expect(r.code).toBe(0);
    const xml = join(work, `${file}.xml`);
    await writeFile(xml, r.out);
    await run('virt-xml-validate', [xml, 'domain']);
    const domain = decodeDomain(r.out);
    expect(domain.type).toBe('kvm');
    // No path of this machine: every file is where KubeVirt's launcher pod has it.
    for (const disk of domain.devices.disks) expect(disk.source?.file ?? '/var/run/').toMatch(/^\/var\/run\/(kubevirt|kubevirt-private|kubevirt-ephemeral-disks|libvirt)\//);
  });

  it.each(REFUSED)('refuses $file ($reason) on $field', async ({ file, field, says }) => {
    const r = await kvt('domxml', await manifest(file));
    expect(r.code).toBe(1);
    const line = r.err.split('\n').find((l) => l.includes(`: ${field}: `));
    expect(line, r.err).toBeDefined();
    expect(line).toMatch(says);
  });

  it.each(VALIDATED_ONLY)('admits %s (kvt validate)', async (file) => {
    const r = await kvt('validate', join(DIR, file));
    expect(r.err).toMatch(/^1 object checked: 1 valid, 0 invalid$/m);
    expect(r.code).toBe(0);
  });
});
