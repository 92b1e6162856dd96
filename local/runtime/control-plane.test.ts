import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { checkHost, HostSetupError, startLocalControlPlane } from './control-plane.js';
import { IN_CI, IS_ROOT } from '../../test/fixtures/host.js';
import { addedSince, freeTestCidr, hostNetworkSnapshot, testBridge } from '../pod-network/runtime/host-network.testing.js';

describe('checkHost', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'kvt-host-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('names every missing program with the Debian packages to install', async () => {
    const empty = join(dir, 'bin');
    const error = await checkHost(join(dir, 'data'), empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostSetupError);
    expect((error as Error).message).toBe('missing libvirtd (Debian: libvirt-daemon libvirt-daemon-driver-qemu), qemu-system-x86_64 (Debian: qemu-system-x86), '
      + 'qemu-img (Debian: qemu-utils), virsh (Debian: libvirt-clients): install them with '
      + '`apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients` (or run `bash scripts/demo.sh`, which does)');
  });

  it('refuses a data dir that is a file, or one that cannot be created', async () => {
    const bin = join(dir, 'tools');
    const { mkdir, chmod } = await import('node:fs/promises');
    await mkdir(bin);
    for (const p of ['libvirtd', 'qemu-system-x86_64', 'qemu-img', 'virsh']) {
      await writeFile(join(bin, p), '#!/bin/sh\n');
      await chmod(join(bin, p), 0o755);
    }
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await expect(checkHost(file, bin)).rejects.toThrow(`the data directory ${file} is not a directory`);
    await expect(checkHost(join(file, 'below'), bin)).rejects.toThrow(/^cannot create the data directory .*a-file\/below \(ENOTDIR\): pick another with --data-dir or KVT_DATA_DIR/);
    await expect(checkHost(join(dir, 'fresh'), bin)).resolves.toBeUndefined();
  });

  it('with a node network: names the network tools, and refuses to run as another user than root', async () => {
    const error = await checkHost(join(dir, 'data'), join(dir, 'none'), 0).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/, ip \(Debian: iproute2\), nft \(Debian: nftables\): install them with `apt-get install .* iproute2 nftables`/);
    const bin = join(dir, 'net-tools');
    const { mkdir, chmod } = await import('node:fs/promises');
    await mkdir(bin);
    for (const p of ['libvirtd', 'qemu-system-x86_64', 'qemu-img', 'virsh', 'ip', 'nft']) {
      await writeFile(join(bin, p), '#!/bin/sh\n');
      await chmod(join(bin, p), 0o755);
    }
    await expect(checkHost(join(dir, 'net'), bin, 1000)).rejects.toThrow(new HostSetupError('the local mode runs each launcher pod in its own network namespace on the node bridge, which needs root: run kvt daemon or kvt run as root (e.g. with sudo)'));
    await expect(checkHost(join(dir, 'net'), bin, 0)).resolves.toBeUndefined();
  });
});

describe('the local control plane', () => {
  it('posts its node as a kubelet does: Ready, its address, capacity and version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvt-plane-'));
    const plane = await startLocalControlPlane({ dataDir: join(dir, 'data'), runRoot: join(dir, 'run'), log: createLogger({ name: 'test', level: 'silent' }), persist: false, owner: 'test' });
    try {
      const node = await plane.kube.get<KubeObject & { status?: { conditions?: { type: string; status: string }[]; addresses?: { address: string }[]; capacity?: Record<string, string>; nodeInfo?: { kubeletVersion?: string } } }>(ExternalGvk.Node, undefined, 'local');
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(node.status?.addresses?.map((a) => a.address)).toContain('127.0.0.1');
      expect(Number(node.status?.capacity?.['cpu'])).toBeGreaterThan(0);
      expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\./);
    } finally {
      await plane.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!IN_CI && !IS_ROOT)('the local control plane with a node network', () => {
  it('publishes the pod CIDR as the Node\'s spec.podCIDR(s); a plane stopped with no pod left removes the bridge and its table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvt-plane-net-'));
    const before = hostNetworkSnapshot();
    const bridge = testBridge('c');
    const podCidr = freeTestCidr();
    const plane = await startLocalControlPlane({
      dataDir: join(dir, 'data'), runRoot: join(dir, 'run'), log: createLogger({ name: 'test', level: 'silent' }), persist: false, owner: 'test',
      network: { bridge, podCidr, egress: false, stateDir: join(dir, 'net') },
    });
    try {
      const node = await plane.kube.get<KubeObject & { spec?: { podCIDR?: string; podCIDRs?: string[] } }>(ExternalGvk.Node, undefined, 'local');
      expect(node.spec).toEqual({ podCIDR: podCidr, podCIDRs: [podCidr] });
      expect(hostNetworkSnapshot().links).toContain(bridge);
      expect(hostNetworkSnapshot().tables).toContain(`table inet ${bridge}`);
    } finally {
      await plane.stop();
      await rm(dir, { recursive: true, force: true });
    }
    expect(addedSince(before, hostNetworkSnapshot())).toEqual({ netns: [], links: [], tables: [] });
  }, 60_000);
});
