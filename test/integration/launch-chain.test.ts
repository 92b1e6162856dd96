// One VM through every layer that decides how its guest is launched, with nothing set by hand:
// examples/demo.yaml admitted by the store's admission chain (presets, defaults) → stored under the
// status subresource → the VMI controller (as virt-controller's user, under the status-ownership
// check) writes the launch status and renders the launcher pod → the launcher converts the stored
// VMI. The pod must run non-root as the stored runtime user says (the bug this guards: the webhook's
// status was dropped at create and the pod rendered as root), and the domain must use the memory
// and CPU the preset gave.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import { parseManifests } from '../../core/manifests.js';
import { NON_ROOT_UID } from '../../core/vmi-launch-status.js';
import { KINDS, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { convertVmiToDomain } from '../../launcher/converter/index.js';
import { LOCAL_STATUS_OWNERS } from '../../local/runtime/control-plane.js';
import { POD_TYPE, type Pod } from '../../reconcilers/pod.js';
import { startVirtController } from '../../reconcilers/runtime/virt-controller.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { rawFile, testContext } from '../builders/context.js';
import { until } from '../builders/until.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const USER = { username: 'kvt', groups: ['system:masters', 'system:authenticated'] };
const VMI = { apiVersion: KINDS.VirtualMachineInstance.apiVersion, kind: KINDS.VirtualMachineInstance.kind };


describe('examples/demo.yaml from admission to the launcher', () => {
  it('the launcher pod runs as the non-root runtime user the VMI controller wrote, and the domain gets the preset\'s resources', async () => {
    const store = createMemoryStore({ statusOwners: LOCAL_STATUS_OWNERS });
    const controller = await startVirtController({ kube: store.client(CONTROLLER), log: createLogger({ name: 'test', level: 'silent' }), launcherImage: 'kvt:test' });
    try {
      const file = join(import.meta.dirname, '../../examples/demo.yaml');
      for (const { object } of parseManifests(file, readFileSync(file, 'utf8')).objects) await store.client(USER).create(object as never);

      const pod = await until('the launcher pod', async () => (await store.list<Pod>(POD_TYPE, { namespace: 'default' })).items[0]);
      const vmi = await store.get<VirtualMachineInstance>(VMI, 'default', 'demo');
      expect(vmi.status?.runtimeUser).toBe(NON_ROOT_UID);
      expect(pod.spec.securityContext).toMatchObject({ runAsUser: NON_ROOT_UID, runAsGroup: NON_ROOT_UID, runAsNonRoot: true, fsGroup: NON_ROOT_UID });
      expect(pod.spec.containers[0]?.securityContext).toMatchObject({ runAsUser: NON_ROOT_UID, runAsNonRoot: true, allowPrivilegeEscalation: false });

      const prepared = { volumes: { cloudinitdisk: rawFile('cloudinitdisk') }, kernelBoot: { kernel: '/run/k/vmlinuz', initrd: '/run/k/initrd.img' } };
      const domain = convertVmiToDomain(vmi, testContext({ kvmUsable: false, allowEmulation: true, ...prepared }));
      expect(domain.memory).toEqual({ value: 128 * 1024 * 1024, unit: 'b' });
      expect(domain.cpu?.topology).toMatchObject({ cores: 1 });
      expect(vmi.status?.currentCPUTopology).toMatchObject({ cores: 1 });
    } finally {
      await controller.stop();
      await store.close();
    }
  });
});
