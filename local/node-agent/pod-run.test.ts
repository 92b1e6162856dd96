import { describe, expect, it } from 'vitest';
import type { Pod } from '../../reconcilers/pod.js';
import { podRunSpec } from './pod-run.js';

const facts = { podIP: '10.244.0.9', hostIP: '10.243.0.1' };

function pod(volumes: readonly object[], mounts: readonly object[]): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'compute', image: 'kvt', command: ['kvt', 'virt-launcher'], volumeMounts: [...mounts] }], volumes: [...volumes] },
  } as unknown as Pod;
}

describe('podRunSpec volumes', () => {
  it('mounts an image volume read-only, whatever the mount says', () => {
    const run = podRunSpec(pod([{ name: 'img', image: { reference: 'localhost/demo-guest:latest' } }], [{ name: 'img', mountPath: '/var/run/kubevirt/image-volumes/x' }]), facts);
    expect(run.ok && run.value.mounts).toEqual([{ volume: 'img', source: { kind: 'image', reference: 'localhost/demo-guest:latest', pullPolicy: 'Always', pullSecrets: [] }, mountPath: '/var/run/kubevirt/image-volumes/x', readOnly: true }]);
  });

  it.each([
    ['quay.io/x/disk:v1', undefined, 'IfNotPresent'],
    ['quay.io/x/disk', undefined, 'Always'],
    ['quay.io/x/disk:latest', '', 'Always'],
    ['registry.local:5000/disk', undefined, 'Always'],
    ['quay.io/x/disk:latest', 'Never', 'Never'],
    ['quay.io/x/disk:v1', 'Always', 'Always'],
  ])('image volume %s with pullPolicy %j pulls %s (Kubernetes\' default when unset)', (reference, pullPolicy, want) => {
    const run = podRunSpec(pod([{ name: 'img', image: { reference, ...(pullPolicy === undefined ? {} : { pullPolicy }) } }], [{ name: 'img', mountPath: '/i' }]), facts);
    expect(run.ok && run.value.mounts[0]?.source).toEqual({ kind: 'image', reference, pullPolicy: want, pullSecrets: [] });
  });

  it('an image volume carries the pod\'s imagePullSecrets, in order, empty names dropped', () => {
    const p = pod([{ name: 'img', image: { reference: 'quay.io/x/disk:v1' } }], [{ name: 'img', mountPath: '/i' }]);
    p.spec.imagePullSecrets = [{ name: 'b' }, { name: '' }, { name: 'a' }];
    const run = podRunSpec(p, facts);
    expect(run.ok && run.value.mounts[0]?.source).toMatchObject({ pullSecrets: ['b', 'a'] });
  });

  it.each([
    [{ name: 'v', secret: { secretName: 's1' } }, { kind: 'secret', secretName: 's1', optional: false }],
    [{ name: 'v', secret: { secretName: 's1', optional: true } }, { kind: 'secret', secretName: 's1', optional: true }],
    [{ name: 'v', configMap: { name: 'c1', optional: true } }, { kind: 'configMap', name: 'c1', optional: true }],
  ])('mounts %j read-only, written from its object (optional: an empty directory when it is missing)', (volume, source) => {
    const run = podRunSpec(pod([volume], [{ name: 'v', mountPath: '/m' }]), facts);
    expect(run.ok && run.value.mounts).toEqual([{ volume: 'v', source, mountPath: '/m', readOnly: true }]);
  });

  it.each([
    [{ name: 'v', image: {} }, 'spec.volumes[0]: only hostPath, emptyDir, secret, configMap, projected and image volumes are supported by the kvt node agent'],
    [{ name: 'v', nfs: { server: 'x', path: '/' } }, 'spec.volumes[0]: only hostPath, emptyDir, secret, configMap, projected and image volumes are supported by the kvt node agent'],
    [{ name: 'v', image: { reference: 'quay.io/x/disk:v1', pullPolicy: 'Sometimes' } }, 'spec.volumes[0].image.pullPolicy: unsupported value "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
  ])('refuses %j, naming the volume', (volume, error) => {
    expect(podRunSpec(pod([volume], [{ name: 'v', mountPath: '/m' }]), facts)).toEqual({ ok: false, error });
  });
});
