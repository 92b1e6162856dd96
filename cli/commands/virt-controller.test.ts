import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { createLogger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { createMemoryStore } from '../../store/runtime/memory.js';
import { LEASE_TYPE, type Lease } from '../../reconcilers/runtime/leader.js';
import { UsageError } from '../command.js';
import { parseVirtControllerArgs, runVirtController } from './virt-controller.js';

const CONTROLLER = { username: 'system:serviceaccount:kubevirt:kubevirt-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const VMI = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' } as const;

describe('parseVirtControllerArgs', () => {
  it('defaults', () => {
    expect(parseVirtControllerArgs([])).toEqual({ namespace: 'kubevirt', leaderElect: true, launcherImage: 'kvt:latest', logLevel: 'info', imageVolumes: false });
    expect(parseVirtControllerArgs(['--image-volumes', 'true']).imageVolumes).toBe(true);
  });
  it.each([
    [['--leader-elect', 'maybe'], /--leader-elect/],
    [['--log-level', 'loud'], /--log-level/],
    [['--image-volumes', 'yes'], /--image-volumes/],
    [['--namespace', ''], /--namespace/],
    [['extra'], /unexpected argument/],
  ])('%j is a usage error naming the flag', (args, message) => {
    expect(() => parseVirtControllerArgs(args)).toThrow(UsageError);
    expect(() => parseVirtControllerArgs(args)).toThrow(message);
  });
});

describe('runVirtController', () => {
  it('leads, reconciles a VM into its VMI, and on stop releases the lease and exits 0', async () => {
    const store = createMemoryStore({});
    let stop = (): void => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const options = { ...parseVirtControllerArgs(['--launcher-image', 'kvt:dev']) };
    const exit = runVirtController(options, store.client(CONTROLLER), createLogger({ name: 'test', level: 'silent' }), stopped);
    await store.create({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1', namespace: 'default' }, spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } } } as KubeObject);
    const end = Date.now() + 10_000;
    let vmi: VirtualMachineInstance | undefined;
    while (vmi === undefined && Date.now() < end) {
      vmi = await store.get<VirtualMachineInstance>(VMI, 'default', 'vm1').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(vmi?.metadata.ownerReferences?.[0]?.kind).toBe('VirtualMachine');
    const lease = await store.get<Lease>(LEASE_TYPE, 'kubevirt', 'virt-controller');
    expect(lease.spec?.holderIdentity).toBeTruthy();
    stop();
    expect(await exit).toBe(0);
    expect((await store.get<Lease>(LEASE_TYPE, 'kubevirt', 'virt-controller')).spec?.holderIdentity ?? '').toBe('');
  });
});
