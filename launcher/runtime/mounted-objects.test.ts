// The launcher pod's launcher reads its Secrets and ConfigMaps from the pod's volumes: the files the
// node wrote (plain, or Kubernetes' atomic-writer layout of `..data` symlinks), under a pod root.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { mountedObjectSource, readMountedObject } from './mounted-objects.js';

const text = (data: Readonly<Record<string, Uint8Array>> | undefined): Record<string, string> | undefined =>
  data === undefined ? undefined : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

const VMI = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v', namespace: 'ns1', uid: 'u' },
  spec: {
    domain: { devices: {} },
    volumes: [
      { name: 'ci', cloudInitNoCloud: { secretRef: { name: 'ud' } } },
      { name: 'cm', configMap: { name: 'settings' } },
      { name: 'again', secret: { secretName: 'ud' } },
    ],
  },
} as unknown as VirtualMachineInstance;

describe('mounted objects', () => {
  let root = '';

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-mounted-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function files(dir: string, entries: Readonly<Record<string, string>>): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const [name, value] of Object.entries(entries)) await writeFile(join(dir, name), value);
  }

  it('reads one key per file, and nothing from a directory that is not there', async () => {
    await files(join(root, 'plain'), { userdata: '#!/bin/sh\n', other: 'x' });
    await mkdir(join(root, 'plain', 'sub'));
    expect(text(await readMountedObject(join(root, 'plain')))).toEqual({ other: 'x', userdata: '#!/bin/sh\n' });
    expect(await readMountedObject(join(root, 'absent'))).toBeUndefined();
  });

  it('reads a kubelet\'s atomic-writer layout: the keys\' symlinks followed, the `..` entries skipped', async () => {
    const dir = join(root, 'atomic');
    await files(join(dir, '..2026_01_01_00_00_00.1'), { token: 't1' });
    await symlink('..2026_01_01_00_00_00.1', join(dir, '..data'));
    await symlink('..data/token', join(dir, 'token'));
    expect(text(await readMountedObject(dir))).toEqual({ token: 't1' });
  });

  it('finds each object of the VMI at its mount path under the pod root; others do not exist for it', async () => {
    await files(join(root, 'var/run/kubevirt-private/secret/ci-udata'), { userdata: 'from the secret' });
    await files(join(root, 'var/run/kubevirt-private/config-map/cm'), { key: 'from the config map' });
    const objects = mountedObjectSource(VMI, root);
    expect(text(await objects.getSecret('ns1', 'ud'))).toEqual({ userdata: 'from the secret' });
    expect(text(await objects.getConfigMap('ns1', 'settings'))).toEqual({ key: 'from the config map' });
    expect(await objects.getSecret('other', 'ud')).toBeUndefined();
    expect(await objects.getSecret('ns1', 'settings')).toBeUndefined();
    expect(await objects.getConfigMap('ns1', 'unmounted')).toBeUndefined();
    expect(await objects.serviceAccountToken('ns1', 'default')).toBeUndefined();
  });
});
