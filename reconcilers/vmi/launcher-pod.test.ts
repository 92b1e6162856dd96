// The launcher pod of kubevirt/controllers.md §1.3 (metadata) and §1.4 (spec), plus golden pods of examples/ VMIs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../core/yaml.js';
import { parseManifests } from '../../core/manifests.js';
import { Labels, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { admitted, launched, newVmi, TEST_UID, withAnnotation, withDomain, withMemory, withName, withSpec } from '../../test/builders/vmi.js';
import { LAUNCHER_CONTAINER } from '../pod.js';
import { launcherImagePullSecrets, launcherPodName, renderLauncherPod } from './launcher-pod.js';

const ctx = { launcherImage: 'localhost/kvt:dev' };
/** Renders as the VMI controller does: from a VMI whose launch status it wrote. */
const render = (vmi: VirtualMachineInstance, context: Parameters<typeof renderLauncherPod>[1] = ctx): ReturnType<typeof renderLauncherPod> => renderLauncherPod(launched(vmi), context);

describe('renderLauncherPod metadata (§1.3)', () => {
  const vmi = newVmi(withName('myvmi', 'ns1'), withAnnotation('kubectl.kubernetes.io/last-applied-configuration', '{}'), withAnnotation('team', 'a'), (v) => { v.metadata.labels = { app: 'web' }; });
  const pod = render(vmi, ctx);

  it('is named virt-launcher-<vmi>-<5 chars>, the same for the same uid and different for another', () => {
    expect(pod.metadata.name).toMatch(/^virt-launcher-myvmi-[0-9a-f]{5}$/);
    expect(launcherPodName(vmi)).toBe(pod.metadata.name);
    expect(launcherPodName({ ...vmi, metadata: { ...vmi.metadata, uid: 'other' } })).not.toBe(pod.metadata.name);
    expect(pod.metadata.namespace).toBe('ns1');
  });

  it('is controlled by the VMI', () => {
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'myvmi', uid: TEST_UID, controller: true, blockOwnerDeletion: true }]);
  });

  it('copies the VMI labels and adds KubeVirt\'s', () => {
    expect(pod.metadata.labels).toEqual({ app: 'web', 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': TEST_UID, 'vm.kubevirt.io/name': 'myvmi' });
  });

  it('copies annotations except kubectl.kubernetes.io/*, and names the domain', () => {
    expect(pod.metadata.annotations?.['team']).toBe('a');
    expect(pod.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(pod.metadata.annotations?.['kubevirt.io/domain']).toBe('myvmi');
    expect(pod.metadata.annotations?.['kubectl.kubernetes.io/default-container']).toBe('compute');
  });
});

describe('renderLauncherPod spec (§1.4)', () => {
  it('the compute container runs kvt virt-launcher with the shared-design arguments', () => {
    const pod = render(newVmi(withName('a', 'ns')), ctx);
    const compute = pod.spec.containers[0];
    expect(pod.spec.containers).toHaveLength(1);
    expect(compute?.name).toBe(LAUNCHER_CONTAINER);
    expect(compute?.image).toBe('localhost/kvt:dev');
    expect(compute?.command).toEqual(['kvt', 'virt-launcher']);
    expect(compute?.args).toEqual(['--await-vmi', '--namespace', 'ns', '--name', 'a', '--uid', TEST_UID, '--grace-period-seconds', '45']);
    expect(compute?.volumeMounts).toContainEqual({ name: 'kvt-run', mountPath: '/run/kvt' });
    expect(pod.spec.volumes).toContainEqual({ name: 'kvt-run', hostPath: { path: '/run/kvt', type: 'DirectoryOrCreate' } });
  });

  it.each([[undefined, 60, '45'], [0, 30, '15'], [120, 150, '135']])('VMI grace %s → pod %d, launcher %s', (grace, podGrace, launcherGrace) => {
    const pod = render(newVmi(withSpec((s) => { if (grace !== undefined) s.terminationGracePeriodSeconds = grace; })), ctx);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(podGrace);
    expect(pod.spec.containers[0]?.args?.at(-1)).toBe(launcherGrace);
  });

  it('is unbound, never restarts, has no service links, and selects schedulable nodes plus the VMI selector', () => {
    const pod = render(newVmi(withSpec((s) => { s.nodeSelector = { disk: 'ssd' }; })), ctx);
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.enableServiceLinks).toBe(false);
    expect(pod.spec.nodeSelector).toEqual({ disk: 'ssd', 'kubevirt.io/schedulable': 'true' });
    expect(pod.spec.readinessGates).toEqual([{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }]);
  });

  it('passes hostname, subdomain, dns, scheduler, priority and tolerations through', () => {
    const vmi = newVmi(withSpec((s) => {
      Object.assign(s, { hostname: 'my.host', subdomain: 'sub', dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] }, schedulerName: 'custom', priorityClassName: 'high' });
      s.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }];
    }));
    const spec = render(vmi, ctx).spec;
    expect([spec.hostname, spec.subdomain, spec.dnsPolicy, spec.schedulerName, spec.priorityClassName]).toEqual(['my-host', 'sub', 'None', 'custom', 'high']);
    expect(spec.dnsConfig).toEqual({ nameservers: ['1.1.1.1'] });
    expect(spec.tolerations).toEqual([{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('host-model CPU: every required node term also requires a non-obsolete host model', () => {
    const vmi = newVmi(withSpec((s) => {
      s.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, {}] } } };
    }));
    const terms = (render(vmi, ctx).spec.affinity as { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: unknown[] } } })
      .nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    const obsolete = { key: Labels.obsoleteHostModel, operator: 'DoesNotExist' };
    expect(terms).toEqual([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, obsolete] }, { matchExpressions: [obsolete] }]);
  });

  it('a named CPU model adds no affinity', () => {
    expect(render(newVmi(withDomain({ cpu: { model: 'Skylake' } })), ctx).spec.affinity).toBeUndefined();
  });

  it.each([[107, { fsGroup: 107, runAsUser: 107, runAsGroup: 107, runAsNonRoot: true }], [0, { fsGroup: 107, runAsUser: 0 }]])('runtimeUser %d → %o', (user, want) => {
    const vmi = newVmi((v) => { v.status = { runtimeUser: user }; });
    expect(render(vmi, ctx).spec.securityContext).toEqual(want);
  });

  it('renders claims, data volumes, secrets and configMaps; the launcher-made volumes need none', () => {
    const vmi = newVmi(withMemory('128Mi'), withSpec((s) => {
      s.volumes = [
        { name: 'root', containerDisk: { image: 'img' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'pvc1', readOnly: true } },
        { name: 'dv', dataVolume: { name: 'dv1' } },
        { name: 'sec', secret: { secretName: 's1' } },
        { name: 'cm', configMap: { name: 'c1' } },
        { name: 'scratch', emptyDisk: { capacity: '1Gi' } },
      ];
    }));
    const pod = render(vmi, ctx);
    expect(pod.spec.volumes?.map((v) => v.name)).toEqual(['kvt-run', 'data', 'dv', 'sec', 'cm']);
    expect(pod.spec.volumes?.find((v) => v.name === 'dv')).toEqual({ name: 'dv', persistentVolumeClaim: { claimName: 'dv1' } });
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/run/kubevirt-private/vmi-disks/data', readOnly: true });
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({ name: 'sec', mountPath: '/var/run/kubevirt-private/secret/sec', readOnly: true });
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({ name: 'cm', mountPath: '/var/run/kubevirt-private/config-map/cm', readOnly: true });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });

  it('mounts the Secrets of cloud-init secret references read-only, as KubeVirt\'s <volume>-udata and -ndata volumes', () => {
    const vmi = newVmi(withMemory('128Mi'), withSpec((s) => {
      s.volumes = [
        { name: 'ci', cloudInitNoCloud: { secretRef: { name: 'ud' }, networkDataSecretRef: { name: 'nd' } } },
        { name: 'cd', cloudInitConfigDrive: { userData: '#!/bin/sh', networkDataSecretRef: { name: 'nd2' } } },
        { name: 'inline', cloudInitNoCloud: { userData: '#!/bin/sh' } },
      ];
    }));
    const pod = render(vmi, ctx);
    expect(pod.spec.volumes?.slice(1)).toEqual([
      { name: 'ci-udata', secret: { secretName: 'ud' } },
      { name: 'ci-ndata', secret: { secretName: 'nd' } },
      { name: 'cd-ndata', secret: { secretName: 'nd2' } },
    ]);
    expect(pod.spec.containers[0]?.volumeMounts?.slice(1)).toEqual([
      { name: 'ci-udata', mountPath: '/var/run/kubevirt-private/secret/ci-udata', readOnly: true },
      { name: 'ci-ndata', mountPath: '/var/run/kubevirt-private/secret/ci-ndata', readOnly: true },
      { name: 'cd-ndata', mountPath: '/var/run/kubevirt-private/secret/cd-ndata', readOnly: true },
    ]);
  });

  it('on a cluster delivers each boot image once as an image volume, mounted read-only by its store name, and tells the launcher where', () => {
    const vmi = newVmi(withMemory('128Mi'), withSpec((s) => {
      s.domain.firmware = { ...s.domain.firmware, kernelBoot: { container: { image: 'localhost/kernels:6.1', imagePullPolicy: 'Never', kernelPath: '/boot/vmlinuz' } } };
      s.volumes = [
        { name: 'root', containerDisk: { image: 'localhost/demo-guest', imagePullPolicy: 'IfNotPresent' } },
        { name: 'again', containerDisk: { image: 'localhost/demo-guest:latest' } },
      ];
    }));
    const pod = render(vmi, { ...ctx, imageVolumes: true });
    expect(pod.spec.volumes?.filter((v) => v.image !== undefined)).toEqual([
      { name: 'kvt-image-0', image: { reference: 'localhost/demo-guest', pullPolicy: 'IfNotPresent' } },
      { name: 'kvt-image-1', image: { reference: 'localhost/kernels:6.1', pullPolicy: 'Never' } },
    ]);
    const container = pod.spec.containers[0];
    expect(container?.volumeMounts?.filter((m) => m.name.startsWith('kvt-image-'))).toEqual([
      { name: 'kvt-image-0', mountPath: '/var/run/kubevirt/image-volumes/localhost%2Fdemo-guest%3Alatest', readOnly: true },
      { name: 'kvt-image-1', mountPath: '/var/run/kubevirt/image-volumes/localhost%2Fkernels%3A6.1', readOnly: true },
    ]);
    expect(container?.args?.slice(-2)).toEqual(['--image-volumes', '/var/run/kubevirt/image-volumes']);
    // Locally the launcher reads the machine's image store: no image volume, no flag.
    const local = render(vmi, ctx);
    expect([local.spec.volumes?.some((v) => v.image !== undefined), local.spec.containers[0]?.args?.includes('--image-volumes')]).toEqual([false, false]);
  });

  it('a serviceAccount volume names the pod\'s service account and mounts its token', () => {
    const spec = render(newVmi(withSpec((s) => { s.volumes = [{ name: 'sa', serviceAccount: { serviceAccountName: 'builder' } }]; })), ctx).spec;
    expect([spec.serviceAccountName, spec.automountServiceAccountToken]).toEqual(['builder', true]);
  });

  it('does not change its input', () => {
    const vmi = newVmi();
    const copy = structuredClone(vmi);
    render(vmi, ctx);
    expect(vmi).toEqual(copy);
  });
});

describe('the launcher pod\'s imagePullSecrets (KubeVirt\'s template service)', () => {
  const disk = (name: string, imagePullSecret?: string): object => ({ name, containerDisk: { image: `quay.io/x/${name}:1`, ...(imagePullSecret === undefined ? {} : { imagePullSecret }) } });
  it.each([
    ['no pull secret', [disk('a')], undefined, undefined],
    ['each containerDisk\'s, in volume order', [disk('a', 's1'), disk('b'), disk('c', 's2')], undefined, [{ name: 's1' }, { name: 's2' }]],
    ['a name once', [disk('a', 's1'), disk('b', 's1')], undefined, [{ name: 's1' }]],
    ['an empty name is none', [disk('a', '')], undefined, undefined],
    ['the kernel-boot container\'s after the disks\'', [disk('a', 's1')], 'k', [{ name: 's1' }, { name: 'k' }]],
    ['the kernel-boot container\'s alone', [], 'k', [{ name: 'k' }]],
  ])('%s', (_, volumes, kernelSecret, want) => {
    const vmi = newVmi(withSpec((s) => {
      s.volumes = volumes as NonNullable<typeof s.volumes>;
      if (kernelSecret !== undefined) s.domain.firmware = { kernelBoot: { container: { image: 'quay.io/x/kernel:1', imagePullSecret: kernelSecret } } };
    }));
    expect(launcherImagePullSecrets(vmi)).toEqual(want ?? []);
    expect(render(vmi, ctx).spec.imagePullSecrets).toEqual(want);
  });
});

describe('golden launcher pods of examples/ VMIs', () => {
  const dir = join(import.meta.dirname, '../../examples');
  const vmis = readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
    parseManifests(f, readFileSync(join(dir, f), 'utf8')).objects.map((o) => o.object).filter((o) => o['kind'] === 'VirtualMachineInstance').map((o) => [f, o] as const));

  it('has examples to render', () => {
    expect(vmis.length).toBeGreaterThan(2);
  });

  it.each(vmis)('%s', async (file, object) => {
    const vmi = admitted({ ...(object as unknown as VirtualMachineInstance), metadata: { namespace: 'default', ...(object['metadata'] as object), uid: TEST_UID }, status: { runtimeUser: 107 } });
    await expect(toYaml(render(vmi, ctx))).toMatchFileSnapshot(join(import.meta.dirname, '__golden__', file));
  });
});

describe('renderLauncherPod and the launch status', () => {
  it('refuses a VMI whose launch status was not written (never guesses root or non-root)', () => {
    expect(() => renderLauncherPod(newVmi(), ctx)).toThrow(/has no status.runtimeUser/);
  });
});
