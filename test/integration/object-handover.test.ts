// Secrets and ConfigMaps reach the launcher through its pod's volumes, as in KubeVirt, with nothing
// set by hand: the objects and a VMI naming them (cloud-init secretRef and networkDataSecretRef,
// configMap and secret volumes, an optional Secret that does not exist) are admitted by the store →
// the VMI controller renders the launcher pod → the local kubelet writes the pod's Secret and
// ConfigMap volumes under the pod root (files 0400, directories 0700) → the launcher's object source
// over that root → the files of the VMI's cloud-init and config ISOs carry the objects' bytes. The bug
// this guards: the launcher of a launcher pod had no objects at all, so a Secret applied with the VMI
// failed `ConversionFailed: Secret "…" does not exist`. A Secret that does not exist leaves the pod
// unstartable, naming it, and nothing behind.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { KubeObject } from '../../core/kube.js';
import { KINDS, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { mountedObjectSource } from '../../launcher/runtime/mounted-objects.js';
import { isoFiles } from '../../launcher/runtime/volumes-iso.js';
import { planVolumes, type PrepareStep } from '../../launcher/volumes/index.js';
import { PodVolumeError, writePodVolumes } from '../../local/kubelet/runtime/pod-volumes.js';
import { LOCAL_STATUS_OWNERS, LOCAL_USER } from '../../local/runtime/control-plane.js';
import { LAUNCHER_CONTAINER, POD_TYPE, type Pod } from '../../reconcilers/pod.js';
import { startVirtController } from '../../reconcilers/runtime/virt-controller.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { until } from '../builders/until.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const KUBELET = { username: 'system:node:local', groups: ['system:nodes', 'system:authenticated'] };
const VMI = { apiVersion: KINDS.VirtualMachineInstance.apiVersion, kind: KINDS.VirtualMachineInstance.kind };
const USER_DATA = '#!/bin/sh\necho "token from a Secret"\n';
const NETWORK_DATA = 'version: 2\nethernets: {}\n';


function vmiNaming(name: string, volumes: readonly object[]): KubeObject {
  return {
    ...VMI, metadata: { name, namespace: 'default' },
    spec: {
      domain: { devices: { disks: volumes.map((v) => ({ name: (v as { name: string }).name, disk: { bus: 'virtio' } })) }, resources: { requests: { memory: '96Mi' } } },
      volumes,
    },
  } as KubeObject;
}

/** Every file of every ISO the launcher would make, as text, by `volume/path`. */
async function isoTexts(vmi: VirtualMachineInstance, podRoot: string, work: string): Promise<Record<string, string>> {
  const plan = planVolumes(vmi, { vmiDir: join(work, 'vmi'), volumeStore: join(work, 'volumes'), hostDiskRoots: [], images: {} });
  const objects = mountedObjectSource(vmi, podRoot);
  const out: Record<string, string> = {};
  for (const step of plan.steps.filter((s): s is Extract<PrepareStep, { kind: 'iso' }> => s.kind === 'iso')) {
    for (const file of await isoFiles(objects, step)) out[`${step.field}:${file.path}`] = Buffer.from(file.data).toString('utf8');
  }
  return out;
}

/** Mode and kind of everything under `dir`, by path relative to it. */
async function modes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true })) {
    const info = await stat(join(dir, entry));
    out[entry] = `${info.isDirectory() ? 'd' : 'f'}${(info.mode & 0o777).toString(8)}`;
  }
  return out;
}

describe('Secrets and ConfigMaps from the API to the launcher, through the launcher pod\'s volumes', () => {
  let store: MemoryStore;
  let controller: Awaited<ReturnType<typeof startVirtController>>;
  let work = '';

  beforeAll(async () => {
    store = createMemoryStore({ statusOwners: LOCAL_STATUS_OWNERS });
    controller = await startVirtController({ kube: store.client(CONTROLLER), log: createLogger({ name: 'test', level: 'silent' }), launcherImage: 'kvt:test' });
    work = await mkdtemp(join(tmpdir(), 'kvt-handover-'));
  });

  afterAll(async () => {
    await controller.stop();
    await store.close();
    await rm(work, { recursive: true, force: true });
  });

  async function launcherPodOf(name: string): Promise<{ pod: Pod; vmi: VirtualMachineInstance }> {
    const vmi = await store.get<VirtualMachineInstance>(VMI, 'default', name);
    const pod = await until(`the launcher pod of ${name}`, async () => (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items.find((p) => p.metadata.ownerReferences?.[0]?.uid === vmi.metadata.uid));
    return { pod, vmi };
  }

  it('the launcher reads every object its VMI names from the files the kubelet wrote, private to root', async () => {
    const user = store.client(LOCAL_USER);
    await user.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'userdata', namespace: 'default' }, stringData: { userdata: USER_DATA } } as KubeObject);
    await user.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'netdata', namespace: 'default' }, data: { networkData: Buffer.from(NETWORK_DATA).toString('base64') } } as KubeObject);
    await user.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } } as KubeObject);
    await user.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' }, binaryData: { blob: Buffer.from([0x41, 0x42]).toString('base64') } } as KubeObject);
    await user.create(vmiNaming('objects', [
      { name: 'ci', cloudInitNoCloud: { secretRef: { name: 'userdata' }, networkDataSecretRef: { name: 'netdata' } } },
      { name: 'cm', configMap: { name: 'settings' } },
      { name: 'sec', secret: { secretName: 'creds' } },
      { name: 'opt', secret: { secretName: 'not-there', optional: true } },
    ]));
    const { pod, vmi } = await launcherPodOf('objects');
    const container = pod.spec.containers.find((c) => c.name === LAUNCHER_CONTAINER);
    if (container === undefined) throw new Error('no compute container');

    const runDir = join(work, 'run-objects');
    const podRoot = await writePodVolumes(store.client(KUBELET), pod, container, runDir);
    expect(podRoot).toBe(join(runDir, 'pod'));
    expect(await isoTexts(vmi, podRoot, work)).toEqual({
      'spec.volumes[0].cloudInitNoCloud:user-data': USER_DATA,
      'spec.volumes[0].cloudInitNoCloud:meta-data': expect.stringContaining('local-hostname: objects') as unknown as string,
      'spec.volumes[0].cloudInitNoCloud:network-config': NETWORK_DATA,
      'spec.volumes[1].configMap:blob': 'AB',
      'spec.volumes[1].configMap:mode': 'fast',
      'spec.volumes[2].secret:password': 's3cret',
    });

    const P = 'var/run/kubevirt-private';
    expect(await modes(podRoot)).toEqual({
      var: 'd700', 'var/run': 'd700', [P]: 'd700', [`${P}/secret`]: 'd700', [`${P}/config-map`]: 'd700',
      [`${P}/secret/ci-udata`]: 'd700', [`${P}/secret/ci-udata/userdata`]: 'f400',
      [`${P}/secret/ci-ndata`]: 'd700', [`${P}/secret/ci-ndata/networkData`]: 'f400',
      [`${P}/config-map/cm`]: 'd700', [`${P}/config-map/cm/mode`]: 'f400', [`${P}/config-map/cm/blob`]: 'f400',
      [`${P}/secret/sec`]: 'd700', [`${P}/secret/sec/password`]: 'f400',
      // An optional Secret that does not exist: an empty directory, as a kubelet mounts it.
      [`${P}/secret/opt`]: 'd700',
    });
    expect(((await stat(podRoot)).mode & 0o777).toString(8)).toBe('700');
    // The run directory stays reachable by the QEMU user (its sockets live there), the pod root does not.
    expect(((await stat(runDir)).mode & 0o777).toString(8)).toBe('711');
  });

  it('a Secret that does not exist leaves the pod unstartable, naming the volume and the Secret, and nothing behind', async () => {
    await store.client(LOCAL_USER).create(vmiNaming('missing', [{ name: 'ci', cloudInitNoCloud: { secretRef: { name: 'absent' } } }]));
    const { pod } = await launcherPodOf('missing');
    const container = pod.spec.containers.find((c) => c.name === LAUNCHER_CONTAINER);
    if (container === undefined) throw new Error('no compute container');
    const runDir = join(work, 'run-missing');
    const error = await writePodVolumes(store.client(KUBELET), pod, container, runDir).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PodVolumeError);
    expect((error as Error).message).toBe('MountVolume.SetUp failed for volume "ci-udata": secret "absent" not found in namespace default');
    expect(await readdir(runDir).catch((e: unknown) => (e as NodeJS.ErrnoException).code)).toBe('ENOENT');
  });
});
