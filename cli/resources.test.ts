import { describe, expect, it } from 'vitest';
import { crdOf } from '../crd-gen/crds.js';
import { KINDS, type KindName } from '../crd-gen/index.js';
import { allCategory, kindPrefix, parseTargets, resolveResource } from './resources.js';

describe('resolveResource', () => {
  it.each([
    ['vmis', 'VirtualMachineInstance', 'virtualmachineinstances.kubevirt.io', true],
    ['VM', 'VirtualMachine', 'virtualmachines.kubevirt.io', true],
    ['VirtualMachine', 'VirtualMachine', 'virtualmachines.kubevirt.io', true],
    ['virtualmachines.kubevirt.io', 'VirtualMachine', 'virtualmachines.kubevirt.io', true],
    ['vm.kubevirt.io', 'VirtualMachine', 'virtualmachines.kubevirt.io', true],
    ['vmis.v1.kubevirt.io', 'VirtualMachineInstance', 'virtualmachineinstances.kubevirt.io', true],
    ['vmirs', 'VirtualMachineInstanceReplicaSet', 'virtualmachineinstancereplicasets.kubevirt.io', true],
    ['vmcps', 'VirtualMachineClusterPreference', 'virtualmachineclusterpreferences.instancetype.kubevirt.io', false],
    ['vmcp.instancetype.kubevirt.io', 'VirtualMachineClusterPreference', 'virtualmachineclusterpreferences.instancetype.kubevirt.io', false],
    ['po', 'Pod', 'pods', true],
    ['nodes', 'Node', 'nodes', false],
    ['ev', 'Event', 'events', true],
  ])('%s → %s', (word, kind, display, namespaced) => {
    const r = resolveResource(word);
    expect(r?.type.kind).toBe(kind);
    expect(r?.display).toBe(display);
    expect(r?.namespaced).toBe(namespaced);
  });
  it.each(['deployments', 'vm.apps', 'vmcp.kubevirt.io', 'pods.kubevirt.io'])('knows nothing of %s', (word) => {
    expect(resolveResource(word)).toBeUndefined();
  });
  it('puts pods and the kinds whose CRDs are in the `all` category into `all`', () => {
    const inAll = (Object.keys(KINDS) as KindName[]).filter((k) => (crdOf(k).spec.names.categories ?? []).includes('all'));
    expect(allCategory().map((r) => r.type.kind)).toEqual(['Pod', ...inAll]);
  });
  it.each([
    [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' }, 'virtualmachine.kubevirt.io'],
    [{ apiVersion: 'v1', kind: 'Pod' }, 'pod'],
  ])('kindPrefix %j → %s', (type, expected) => {
    expect(kindPrefix(type)).toBe(expected);
  });
});

describe('parseTargets (kubectl get arguments)', () => {
  const summary = (args: string[]) => {
    const t = parseTargets(args);
    return typeof t === 'string' ? t : { single: t.singleItem, targets: t.targets.map((x) => `${x.resource.type.kind}:${x.names.join('+')}`) };
  };
  it.each([
    [['vms'], { single: false, targets: ['VirtualMachine:'] }],
    [['vm', 'demo'], { single: true, targets: ['VirtualMachine:demo'] }],
    [['vm', 'a', 'b'], { single: false, targets: ['VirtualMachine:a+b'] }],
    [['vm,vmi', 'demo'], { single: false, targets: ['VirtualMachine:demo', 'VirtualMachineInstance:demo'] }],
    [['vm,vms,virtualmachines.kubevirt.io'], { single: false, targets: ['VirtualMachine:'] }],
    [['vm/demo'], { single: true, targets: ['VirtualMachine:demo'] }],
    [['vm/a', 'vmi/a', 'vm/b'], { single: false, targets: ['VirtualMachine:a+b', 'VirtualMachineInstance:a'] }],
    [['all'], { single: false, targets: allCategory().map((r) => `${r.type.kind}:`) }],
    [['pods,all'], { single: false, targets: allCategory().map((r) => `${r.type.kind}:`) }],
  ])('%j', (args, expected) => {
    expect(summary(args)).toEqual(expected);
  });
  it.each([
    [[], 'Required resource not specified.'],
    [['vm', 'vmi/demo'], /^there is no need to specify a resource type as a separate argument/],
    [['frob'], 'the server doesn\'t have a resource type "frob"'],
    [['vm,frob'], 'the server doesn\'t have a resource type "frob"'],
    [['frob/x'], 'the server doesn\'t have a resource type "frob"'],
    [['vm/'], 'arguments in resource/name form must have a single resource and name'],
  ])('refuses %j', (args, message) => {
    expect(summary(args)).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });
});
