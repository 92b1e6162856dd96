// VMI UPDATE admission (shared/design/kubevirt/rules-other-kinds.md C48–C55) and KubeVirt's service accounts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi, withContainerDisk, withDisk } from '../../test/builders/vmi.js';
import { CauseType, type Cause } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext, type RequestUser } from '../context.js';
import { isKubevirtServiceAccount, kubevirtServiceAccount, kubevirtServiceAccounts } from './vmi-update-accounts.js';
import { NODE_NAME_EXTRA, validateVmiUpdate } from './vmi-update.js';

const HANDLER = kubevirtServiceAccount('handler');
const CONTROLLER = kubevirtServiceAccount('controller');

function ctx(username?: string, extra?: Record<string, string[]>, featureGates: string[] = []): AdmissionContext {
  const user = username === undefined ? undefined : ({ username, ...(extra ? { extra } : {}) } as RequestUser);
  return { cfg: { ...DEFAULT_CLUSTER_CONFIG, featureGates }, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0), ...(user ? { user } : {}) };
}

/** A running VMI on node-a with one permanent container disk. */
function running(): VirtualMachineInstance {
  const vmi = newVmi(withContainerDisk('root'));
  vmi.status = { phase: 'Running', nodeName: 'node-a', volumeStatus: [{ name: 'root', target: 'vda' }] };
  return vmi;
}

const changed = (edit: (v: VirtualMachineInstance) => void): VirtualMachineInstance => {
  const v = structuredClone(running());
  edit(v);
  return v;
};

const one = (causes: readonly Cause[]): Cause => {
  expect(causes).toHaveLength(1);
  return causes[0]!;
};

describe('KubeVirt service accounts', () => {
  it('names the four components in the kubevirt namespace, or another', () => {
    expect(kubevirtServiceAccounts()).toEqual([
      'system:serviceaccount:kubevirt:kubevirt-apiserver', 'system:serviceaccount:kubevirt:kubevirt-controller',
      'system:serviceaccount:kubevirt:kubevirt-handler', 'system:serviceaccount:kubevirt:kubevirt-synchronization-controller',
    ]);
    expect(isKubevirtServiceAccount('system:serviceaccount:kv:kubevirt-handler', 'kv')).toBe(true);
    expect(isKubevirtServiceAccount('system:serviceaccount:default:kubevirt-handler')).toBe(false);
    expect(isKubevirtServiceAccount(undefined)).toBe(false);
  });
});

describe('validateVmiUpdate: node restriction', () => {
  const gate = ['NodeRestriction'];
  const onNode = (node: string) => ctx(HANDLER, { [NODE_NAME_EXTRA]: [node] }, gate);

  it.each([
    ['C48 a handler request without a node name', ctx(HANDLER, undefined, gate), running(), /carries no node name/],
    ['C49 a handler on another node', onNode('node-b'), running(), /virt-handler on node "node-b" may only change VMIs it owns; this one runs on "node-a"/],
    ['C50 the source handler setting a migration target', onNode('node-a'), changed((v) => { v.status!.migrationState = { targetNode: 'node-c' }; }), /may not set the migration target node \(to "node-c"\)/],
  ])('%s is denied', (_n, c, vmi, message) => {
    const found = one(validateVmiUpdate(vmi, running(), c));
    expect(found).toMatchObject({ type: CauseType.Invalid, field: '' });
    expect(found.message).toMatch(message);
  });

  it.each([
    ['C48–C50 admitted: the handler of the VMI\'s node', onNode('node-a'), running(), running()],
    ['C49 admitted: the migration target\'s handler', onNode('node-t'), running(), changed((v) => { v.status!.migrationState = { targetNode: 'node-t' }; })],
    ['C48 admitted: without the gate', ctx(HANDLER), changed((v) => { v.status!.migrationState = { targetNode: 'x' }; }), running()],
    ['C48 admitted: another component', ctx(CONTROLLER, undefined, gate), changed((v) => { v.status!.migrationState = { targetNode: 'node-c' }; }), running()],
  ])('%s', (_n, c, vmi, old) => {
    expect(validateVmiUpdate(vmi, old, c)).toEqual([]);
  });
});

describe('validateVmiUpdate: spec changes', () => {
  it('C51 a spec change by a user is denied', () => {
    const found = one(validateVmiUpdate(changed((v) => { v.spec.hostname = 'other'; }), running(), ctx('alice')));
    expect(found).toMatchObject({ type: CauseType.NotSupported, field: '' });
    expect(found.message).toMatch(/^update of VMI object is restricted/);
  });

  it('C51 admitted: metadata and status changes by a user', () => {
    const vmi = changed((v) => { v.metadata.labels = { app: 'x' }; v.status!.phase = 'Failed'; });
    expect(validateVmiUpdate(vmi, running(), ctx('alice'))).toEqual([]);
  });

  const hotplugged = (bus: 'scsi' | 'virtio' = 'scsi') => changed((v) => withDisk({ name: 'data', disk: { bus } }, { persistentVolumeClaim: { claimName: 'data', hotpluggable: true } })(v));

  it.each([
    ['C52 maxSockets changed', changed((v) => { v.spec.domain.cpu!.maxSockets = 8; }), /CPU topology maxSockets changed from 4 to 8/],
    ['C53 maxGuest changed', (() => {
      const old = running();
      old.spec.domain.memory = { ...old.spec.domain.memory, maxGuest: '1Gi' };
      return [changed((v) => { v.spec.domain.memory = { ...v.spec.domain.memory, maxGuest: '2Gi' }; }), old] as const;
    })(), /Memory maxGuest changed from 1Gi to 2Gi/],
    ['C54 a disk without a volume', changed((v) => { v.spec.domain.devices.disks!.push({ name: 'extra', disk: { bus: 'scsi' } }); }), /number of disks \(2\) does not equal the number of volumes \(1\)/],
    ['C54 a permanent volume changed', changed((v) => { v.spec.volumes![0]!.containerDisk!.image = 'other:1'; }), /permanent volume root changed/],
    ['C54 a permanent disk changed', changed((v) => { v.spec.domain.devices.disks![0]!.disk!.bus = 'sata'; }), /permanent disk root changed/],
    ['C54 a hotplugged volume that is no claim', changed((v) => withDisk({ name: 'e', disk: { bus: 'scsi' } }, { emptyDisk: { capacity: '1Gi' } })(v)), /volume e is not a PVC or DataVolume/],
    ['C54 a hotplugged disk off the scsi bus', hotplugged('virtio'), /hotplugged disk data does not use a scsi bus/],
  ])('%s by a KubeVirt component is denied', (_n, input, message) => {
    const [vmi, old] = Array.isArray(input) ? input : [input, running()];
    const found = one(validateVmiUpdate(vmi as VirtualMachineInstance, old as VirtualMachineInstance, ctx(CONTROLLER)));
    expect(found).toMatchObject({ type: CauseType.Invalid, field: '' });
    expect(found.message).toMatch(message);
  });

  it('C52–C54 admitted: a scsi PVC hotplugged by a KubeVirt component', () => {
    expect(validateVmiUpdate(hotplugged(), running(), ctx(CONTROLLER))).toEqual([]);
  });

  const withHotplugStatus = (): VirtualMachineInstance => {
    const old = hotplugged();
    old.status!.volumeStatus!.push({ name: 'data', target: 'sda', hotplugVolume: {} });
    return old;
  };

  it('C54 admitted: a hotplugged volume stays while another is added', () => {
    const vmi = structuredClone(withHotplugStatus());
    withDisk({ name: 'more', disk: { bus: 'scsi' } }, { dataVolume: { name: 'more', hotpluggable: true } })(vmi);
    expect(validateVmiUpdate(vmi, withHotplugStatus(), ctx(CONTROLLER))).toEqual([]);
  });

  it('C54 a hotplugged volume changed afterwards is denied', () => {
    const vmi = structuredClone(withHotplugStatus());
    vmi.spec.volumes![1]!.persistentVolumeClaim!.claimName = 'other';
    vmi.spec.domain.cpu = { ...vmi.spec.domain.cpu };
    expect(one(validateVmiUpdate(vmi, withHotplugStatus(), ctx(CONTROLLER))).message).toBe('hotplug volume data changed');
  });
});

describe('validateVmiUpdate: reserved labels', () => {
  const labelled = (labels: Record<string, string>) => changed((v) => { v.metadata.labels = labels; });

  it.each([
    ['C55 adding one', labelled({ 'kubevirt.io/nodeName': 'node-b' }), running(), /prohibited: kubevirt.io\/nodeName/],
    ['C55 changing one', labelled({ 'kubevirt.io/created-by': 'x' }), labelled({ 'kubevirt.io/created-by': 'y' }), /kubevirt.io\/created-by/],
    ['C55 removing one', running(), labelled({ 'kubevirt.io/schedulable': 'true' }), /kubevirt.io\/schedulable/],
  ])('%s by a user is denied', (_n, vmi, old, message) => {
    const found = one(validateVmiUpdate(vmi, old, ctx('alice')));
    expect(found).toMatchObject({ type: CauseType.NotSupported, field: '' });
    expect(found.message).toMatch(message);
  });

  it.each([
    ['C55 admitted: by virt-handler', labelled({ 'kubevirt.io/nodeName': 'node-a' }), running(), HANDLER],
    ['C55 admitted: other labels by a user', labelled({ app: 'web', 'kubevirt.io/vm': 'x' }), running(), 'alice'],
  ])('%s', (_n, vmi, old, username) => {
    expect(validateVmiUpdate(vmi, old, ctx(username))).toEqual([]);
  });

  it('returns only the first failing check: a spec change hides the label change', () => {
    const vmi = changed((v) => { v.spec.hostname = 'h'; v.metadata.labels = { 'kubevirt.io/nodeName': 'n' }; });
    expect(one(validateVmiUpdate(vmi, running(), ctx('alice'))).message).toMatch(/^update of VMI object is restricted/);
  });
});
