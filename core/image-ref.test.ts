import { describe, expect, it } from 'vitest';
import { defaultImagePullPolicy, defaultPodImagePullPolicy, imageRefFault, splitImageRef } from './image-ref.js';

describe('image references', () => {
  it.each([
    'cirros', 'quay.io/kubevirt/cirros-container-disk-demo:v1.0', 'localhost/demo-guest:latest', 'host.io:5000/a/b_c__d-e:tag',
    `a@sha256:${'0'.repeat(64)}`, 'registry.local:5000/ns/img',
  ])('accepts %s', (ref) => {
    expect(imageRefFault(ref)).toBeUndefined();
  });

  it.each([
    ['', { kind: 'empty' }],
    ['/var/lib/disk.img', { kind: 'absolute' }],
    ['../etc/passwd', { kind: 'dot-segment' }],
    ['localhost/x:..', { kind: 'dot-segment' }],
    ['a'.repeat(256), { kind: 'name-too-long' }],
    ['a//b', { kind: 'empty-component' }],
    ['bad_host.-x/a', { kind: 'host', value: 'bad_host.-x' }],
    ['Demo', { kind: 'component', value: 'Demo' }],
    ['a:-x', { kind: 'tag', value: '-x' }],
    ['a@sha256:12', { kind: 'digest', value: 'sha256:12' }],
  ])('refuses %j', (ref, fault) => {
    expect(imageRefFault(ref)).toEqual(fault);
  });

  it('splits name, tag and digest, keeping a host port in the name', () => {
    expect(splitImageRef('host:5000/img')).toEqual({ name: 'host:5000/img' });
    expect(splitImageRef('host:5000/img:1@sha256:ab')).toEqual({ name: 'host:5000/img', tag: '1', digest: 'sha256:ab' });
  });

  const DIGEST = `sha256:${'a'.repeat(64)}`;
  it.each([
    ['quay.io/kubevirt/disk', 'Always', 'Always'],
    ['quay.io/kubevirt/disk:latest', 'Always', 'Always'],
    ['quay.io/kubevirt/disk:v1', 'IfNotPresent', 'IfNotPresent'],
    ['registry.local:5000/disk', 'Always', 'IfNotPresent'],
    ['registry.local:5000/disk:v1', 'IfNotPresent', 'IfNotPresent'],
    [`quay.io/kubevirt/disk@${DIGEST}`, 'IfNotPresent', 'IfNotPresent'],
    [`quay.io/kubevirt/disk:latest@${DIGEST}`, 'Always', 'IfNotPresent'],
  ])('%s: Kubernetes defaults %s (KubeVirt\'s literal rule: %s)', (image, pod, kubevirt) => {
    expect(defaultPodImagePullPolicy(image)).toBe(pod);
    expect(defaultImagePullPolicy(image)).toBe(kubevirt);
  });
});
