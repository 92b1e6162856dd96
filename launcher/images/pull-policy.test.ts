import { describe, expect, it } from 'vitest';
import { defaultImagePullPolicy } from '../../core/image-ref.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { imagePullsOf, pullDecision, type PullPolicy } from './pull-policy.js';

describe('pull policy', () => {
  it.each([
    ['quay.io/a/b', 'Always'], ['quay.io/a/b:latest', 'Always'], ['a', 'Always'],
    ['quay.io/a/b:v1', 'IfNotPresent'], [`a@sha256:${'1'.repeat(64)}`, 'IfNotPresent'], ['localhost:5000/a', 'IfNotPresent'],
  ])('default of %s is %s (KubeVirt: a ":" anywhere counts)', (image, policy) => {
    expect(defaultImagePullPolicy(image)).toBe(policy);
  });

  it.each<[PullPolicy, boolean, boolean, string]>([
    ['Always', false, false, 'pull'], ['Always', true, false, 'pull'], ['Always', true, true, 'use'], ['Always', false, true, 'pull'],
    ['IfNotPresent', false, false, 'pull'], ['IfNotPresent', true, false, 'use'],
    ['Never', false, false, 'missing'], ['Never', true, false, 'use'], ['Never', false, true, 'missing'],
  ])('%s, stored %s, by digest %s → %s', (policy, stored, pinned, decision) => {
    expect(pullDecision(policy, stored, pinned)).toBe(decision);
  });

  it('lists the containerDisks and the kernel-boot container with their fields, policies and secrets', () => {
    const vmi = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'x' },
      spec: {
        domain: { devices: {}, firmware: { kernelBoot: { container: { image: 'quay.io/k:v1', imagePullSecret: 'pull' } } } },
        volumes: [
          { name: 'c', cloudInitNoCloud: { userData: 'x' } },
          { name: 'd', containerDisk: { image: 'quay.io/d', imagePullPolicy: 'Never' } },
          { name: 'e', containerDisk: { image: 'quay.io/e:1', imagePullSecret: 'creds' } },
        ],
      },
    } as unknown as VirtualMachineInstance;
    expect(imagePullsOf(vmi)).toEqual([
      { ref: 'quay.io/d', field: 'spec.volumes[1].containerDisk.image', policy: 'Never' },
      { ref: 'quay.io/e:1', field: 'spec.volumes[2].containerDisk.image', policy: 'IfNotPresent', pullSecret: 'creds' },
      { ref: 'quay.io/k:v1', field: 'spec.domain.firmware.kernelBoot.container.image', policy: 'IfNotPresent', pullSecret: 'pull' },
    ]);
  });
});
