import { describe, expect, it } from 'vitest';
import type { Interface } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateInterfaceSupport } from './interface-support.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const I = 'spec.domain.devices.interfaces';
const NS = CauseType.NotSupported;
const spec = (iface: Omit<Interface, 'name'>) => specWith({ interfaces: [{ name: 'net1', ...iface }] }, { networks: [{ name: 'net1', multus: { networkName: 'n' } }] });

const denied: readonly DeniedCase[] = [
  { id: 'kvt-nic', title: 'an SR-IOV interface', spec: spec({ sriov: {} }), field: `${I}[0].sriov`, type: NS, value: '"net1"' },
  { id: 'kvt-nic', title: 'a binding plugin', spec: spec({ binding: { name: 'custom' } }), field: `${I}[0].binding`, type: NS, value: '"net1"' },
  { id: 'kvt-nic', title: 'an interface without a binding on a VMI', spec: spec({}), field: `${I}[0]`, type: NS, value: '"net1"' },
  { id: 'kvt-nic', title: 'a dotted MAC', spec: spec({ bridge: {}, macAddress: '0200.0000.0001' }), field: `${I}[0].macAddress`, type: NS, value: '"0200.0000.0001"' },
  { id: 'kvt-nic', title: 'a multicast MAC', spec: spec({ bridge: {}, macAddress: '01:00:5e:00:00:01' }), field: `${I}[0].macAddress`, type: NS, value: '"01:00:5e:00:00:01"' },
];

describe('validateInterfaceSupport', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateInterfaceSupport, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
    expect(causes[0]?.message).toContain('is not supported by kubevirt-ts');
  });

  it.each([
    ['masquerade and bridge with unicast MACs in colon and dash form', specWith({ interfaces: [{ name: 'a', masquerade: {}, macAddress: '02:00:00:00:00:01' }, { name: 'b', bridge: {}, macAddress: 'DE-AD-BE-EF-00-01' }] })],
    ['an absent SR-IOV interface (never attached)', spec({ sriov: {}, state: 'absent' })],
    ['malformed and long MACs (KubeVirt\'s own rules B78/B79)', specWith({ interfaces: [{ name: 'a', bridge: {}, macAddress: 'nope' }, { name: 'b', bridge: {}, macAddress: '01:00:00:00:00:00:00:01' }] })],
  ])('kvt-nic admits %s', (_title, s) => {
    expect(causesOf(validateInterfaceSupport, { spec: s })).toEqual([]);
  });

  it('kvt-nic leaves a VM template interface without a binding to its preference', () => {
    expect(causesOf(validateInterfaceSupport, { spec: spec({}), template: true })).toEqual([]);
  });
});
