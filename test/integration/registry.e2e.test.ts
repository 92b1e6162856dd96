// End to end, as a user runs KubeVirt's examples: a registry on loopback (Debian's docker-registry)
// holds images of the names KubeVirt's examples use, built from the demo guest (a BIOS-bootable
// containerDisk under /disk/, and a kernel-boot image with KubeVirt's paths), and `kvt run
// --registry-mirror registry:5000=… --registry-mirror index.docker.io=…` of our copies of the
// examples (test/fixtures/kubevirt-examples/registry-*.yaml, same fields and image names) boots each
// until the guest's console proves it: its cloud-init user data, or its init's ready line. Then the
// pull policies across restarts (Always re-pulls a changed tag, IfNotPresent does not, Never fails
// with the field), and an imagePullSecret for a registry that requires credentials. No QEMU is left
// behind. Runs in CI; skips outside CI when libvirtd, QEMU or the registry tools are missing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import { openImageStore } from '../../launcher/runtime/image-store.js';
import { ImageNotFoundError } from '../../launcher/runtime/image-store-errors.js';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { runKvtSession } from '../fixtures/kvt-daemon.js';
import { pushDemoGuestContainerDisk, pushDemoGuestKernelImage, pushImage, REGISTRY_TOOLS, startRegistry, demoGuestBootDisk, type TestRegistry } from '../fixtures/registry.js';

const REPO = resolve(import.meta.dirname, '../..');
const EXAMPLES = join(REPO, 'test/fixtures/kubevirt-examples');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage', ...REGISTRY_TOOLS]);
const store = openImageStore(imageStoreRoot(defaultDataDir()));

/** `kvt ARGS…` to its end. */
const kvt = runKvtSession;

/** Removes refs from the default store (a run pulls into it), ignoring the ones it does not hold. */
async function forget(...refs: string[]): Promise<void> {
  for (const ref of refs) {
    await store.remove(ref).catch((e: unknown) => {
      if (!(e instanceof ImageNotFoundError)) throw e;
    });
  }
}

const EXAMPLE_REFS = ['registry:5000/kubevirt/cirros-container-disk-demo:devel', 'index.docker.io/kubevirt/cirros-container-disk-demo:mybuild', 'registry:5000/kubevirt/alpine-ext-kernel-boot-demo:devel'];

describe.skipIf(!IN_CI && !AVAILABLE)('KubeVirt\'s containerDisk examples from a registry on loopback (real guests)', () => {
  let registry: TestRegistry;
  let work = '';
  let mirrors: string[] = [];

  beforeAll(async () => {
    await ensureDemoGuest();
    await demoGuestBootDisk();
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'kvt-registry-e2e-'));
    mirrors = ['--registry-mirror', `registry:5000=${registry.url}`, '--registry-mirror', `index.docker.io=${registry.url}`];
    await pushDemoGuestContainerDisk(registry, 'kubevirt/cirros-container-disk-demo:devel');
    await pushDemoGuestContainerDisk(registry, 'kubevirt/cirros-container-disk-demo:mybuild');
    await pushDemoGuestKernelImage(registry, 'kubevirt/alpine-ext-kernel-boot-demo:devel', { kernelPath: '/boot/vmlinuz-virt', initrdPath: '/boot/initramfs-virt' });
    await forget(...EXAMPLE_REFS);
  }, 900_000);

  afterAll(async () => {
    for (const name of ['vmi-ephemeral', 'vm-cirros', 'vmi-nocloud', 'vmi-sata', 'vmi-kernel-boot', 'policy', 'private']) {
      for (const pid of await qemuPids(name)) process.kill(pid, 'SIGKILL');
    }
    await forget(...EXAMPLE_REFS);
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['registry-vmi-ephemeral.yaml', 'vmi-ephemeral', '^kvt-guest: ready$', 'registry:5000/kubevirt/cirros-container-disk-demo:devel'],
    ['registry-vm-cirros.yaml', 'vm-cirros', '^vm-cirros: printed from cloud-init userdata$', 'index.docker.io/kubevirt/cirros-container-disk-demo:mybuild'],
    ['registry-vmi-nocloud.yaml', 'vmi-nocloud', '^vmi-nocloud: printed from cloud-init userdata$', 'index.docker.io/kubevirt/cirros-container-disk-demo:mybuild'],
    ['registry-vmi-sata.yaml', 'vmi-sata', '^kvt-guest: ready$', 'registry:5000/kubevirt/cirros-container-disk-demo:devel'],
    ['registry-vmi-kernel-boot.yaml', 'vmi-kernel-boot', '^kvt-guest: ready$', 'registry:5000/kubevirt/alpine-ext-kernel-boot-demo:devel'],
  ])('%s boots from the registry (its image pulled under its own name)', async (file, name, line, ref) => {
    const started = Date.now();
    const r = await kvt(['run', '-f', join(EXAMPLES, file), ...mirrors, '--wait-for-console', line, '--timeout', '400']);
    expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`VirtualMachineInstance/${name}: Running`));
    expect((await store.resolve(ref)).source?.manifest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await qemuPids(name)).toEqual([]);
    console.info(`${file}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 500_000);

  /** A VMI that boots `image` with `policy`, named policy. */
  async function policyVmi(image: string, policy: string): Promise<string> {
    const file = join(work, `policy-${policy}.yaml`);
    await writeFile(file, [
      'apiVersion: kubevirt.io/v1', 'kind: VirtualMachineInstance', 'metadata: {name: policy}', 'spec:', '  terminationGracePeriodSeconds: 0',
      '  domain: {devices: {disks: [{name: root, disk: {bus: virtio}}]}, resources: {requests: {memory: 128Mi}}}',
      `  volumes: [{name: root, containerDisk: {image: "${image}", imagePullPolicy: ${policy}}}]`, '',
    ].join('\n'));
    return file;
  }

  it('Always re-pulls a changed tag at the next start; IfNotPresent does not; Never fails with the field when absent', async () => {
    const ref = `${registry.host}/kubevirt/policy:1`;
    await forget(ref);
    const first = await pushDemoGuestContainerDisk(registry, 'kubevirt/policy:1');
    const always = await policyVmi(ref, 'Always');
    const pulled = await kvt(['run', '-f', always, '--wait-for-console', '^kvt-guest: ready$', '--timeout', '400']);
    expect(pulled.code, pulled.stderr.slice(-2000)).toBe(0);
    expect((await store.resolve(ref)).digest).toBe(first);

    const disk = await demoGuestBootDisk();
    const second = await pushImage(registry, 'kubevirt/policy:1', [{ layers: [{ files: { 'disk/disk.img': { hostPath: disk } } }, { files: { 'etc/version': '2\n' } }] }]);
    expect(second).not.toBe(first);
    const ifNotPresent = await policyVmi(ref, 'IfNotPresent');
    const kept = await kvt(['run', '-f', ifNotPresent, '--wait-for-console', '^kvt-guest: ready$', '--timeout', '400']);
    expect(kept.code, kept.stderr.slice(-2000)).toBe(0);
    expect((await store.resolve(ref)).digest).toBe(first);
    const r = await kvt(['run', '-f', always, '--wait-for-console', '^kvt-guest: ready$', '--timeout', '400']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect((await store.resolve(ref)).digest).toBe(second);

    const absent = `${registry.host}/kubevirt/never:1`;
    const never = await kvt(['run', '-f', await policyVmi(absent, 'Never'), '--timeout', '300']);
    expect(never.code).toBe(1);
    expect(never.stdout).toMatch(/VirtualMachineInstance\/policy: Failed \(ConversionFailed\)/);
    expect(never.stderr).toContain(`ConversionFailed: spec.volumes[0].containerDisk.image: image ${absent} is not in the local image store and its imagePullPolicy is Never`);
    await forget(ref);
  }, 1_500_000);
});

describe.skipIf(!IN_CI && !AVAILABLE)('a containerDisk from a registry that requires credentials (real guest)', () => {
  let registry: TestRegistry;
  let work = '';

  beforeAll(async () => {
    await ensureDemoGuest();
    registry = await startRegistry({ auth: { username: 'kvt', password: 'pull-s3cret' } });
    work = await mkdtemp(join(tmpdir(), 'kvt-registry-auth-e2e-'));
    await pushDemoGuestContainerDisk(registry, 'private/disk:1');
  }, 900_000);

  afterAll(async () => {
    for (const pid of await qemuPids('private')) process.kill(pid, 'SIGKILL');
    await forget(`${registry.host}/private/disk:1`);
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  function manifest(secret: string | undefined, password: string): string {
    const config = JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`kvt:${password}`).toString('base64') } } });
    return [
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(config).toString('base64') } }),
      JSON.stringify({
        apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'private' },
        spec: {
          terminationGracePeriodSeconds: 0,
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '128Mi' } } },
          volumes: [{ name: 'root', containerDisk: { image: `${registry.host}/private/disk:1`, ...(secret === undefined ? {} : { imagePullSecret: secret }) } }],
        },
      }),
    ].join('\n---\n');
  }

  it('fails with the registry\'s 401 without a pull secret, boots with a dockerconfigjson Secret', async () => {
    const without = join(work, 'without.yaml');
    await writeFile(without, manifest(undefined, 'pull-s3cret'));
    const refused = await kvt(['run', '-f', without, '--timeout', '300']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ConversionFailed: spec\.volumes\[0\]\.containerDisk\.image: .*401 Unauthorized.*no credentials were given/);

    const withSecret = join(work, 'with.yaml');
    await writeFile(withSecret, manifest('pull', 'pull-s3cret'));
    const r = await kvt(['run', '-f', withSecret, '--wait-for-console', '^kvt-guest: ready$', '--timeout', '400']);
    expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`).toBe(0);
  }, 1_000_000);
});
