// Where the local kubelet writes a launcher pod's Secret and ConfigMap volumes: each at its mount
// path under the pod root, never outside it; other volumes are not its to write.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../reconcilers/pod.js';
import { mountPathProblem, placeObjectVolumes, podRootOf } from './pod-volumes.js';

const ROOT = '/run/kvt/0123456789/pod';

function pod(volumes: readonly object[], mounts: readonly object[]): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'compute', image: 'kvt', command: ['kvt', 'virt-launcher'], volumeMounts: [...mounts] }], volumes: [...volumes] },
  } as unknown as Pod;
}

const place = (p: Pod): ReturnType<typeof placeObjectVolumes> => placeObjectVolumes(p, p.spec.containers[0] as Pod['spec']['containers'][number], ROOT);

describe('podRootOf', () => {
  it('is the run directory\'s pod folder', () => {
    expect(podRootOf('/run/kvt/0123456789')).toBe(ROOT);
  });
});

describe('mountPathProblem', () => {
  it.each([
    ['/var/run/kubevirt-private/secret/ci-udata', undefined],
    ['var/run/x', 'is not absolute'],
    ['/var/run/../../etc', 'has a ".." segment'],
    ['/', 'is the root'],
    ['//./', 'is the root'],
  ])('%s → %s', (path, problem) => {
    expect(mountPathProblem(path)).toBe(problem);
  });
});

describe('placeObjectVolumes', () => {
  it.each<[string, Pod, ReturnType<typeof placeObjectVolumes>]>([
    ['secrets and configMaps at their mount paths under the root, in mount order', pod(
      [{ name: 'kvt-run', hostPath: { path: '/run/kvt' } }, { name: 'cm', configMap: { name: 'c1' } }, { name: 'ci-udata', secret: { secretName: 'ud', optional: true } }],
      [{ name: 'kvt-run', mountPath: '/run/kvt' }, { name: 'ci-udata', mountPath: '/var/run/kubevirt-private/secret/ci-udata' }, { name: 'cm', mountPath: '/var/run/kubevirt-private/config-map/cm' }],
    ), { volumes: [
      { mount: { volume: 'ci-udata', source: { kind: 'secret', secretName: 'ud', optional: true }, mountPath: '/var/run/kubevirt-private/secret/ci-udata' }, dir: `${ROOT}/var/run/kubevirt-private/secret/ci-udata` },
      { mount: { volume: 'cm', source: { kind: 'configMap', name: 'c1', optional: false }, mountPath: '/var/run/kubevirt-private/config-map/cm' }, dir: `${ROOT}/var/run/kubevirt-private/config-map/cm` },
    ] }],
    ['claims, the run directory and unmounted volumes are not written', pod(
      [{ name: 'kvt-run', hostPath: { path: '/run/kvt' } }, { name: 'data', persistentVolumeClaim: { claimName: 'c' } }, { name: 'unmounted', secret: { secretName: 's' } }],
      [{ name: 'kvt-run', mountPath: '/run/kvt' }, { name: 'data', mountPath: '/var/run/kubevirt-private/vmi-disks/data' }],
    ), { volumes: [] }],
    ['a mount path leading out of the root is refused, naming the mount', pod(
      [{ name: 'evil', secret: { secretName: 's' } }],
      [{ name: 'evil', mountPath: '/var/../../../etc' }],
    ), { error: 'spec.containers[compute].volumeMounts[evil].mountPath "/var/../../../etc" has a ".." segment' }],
  ])('%s', (_title, p, want) => {
    expect(place(p)).toEqual(want);
  });
});
