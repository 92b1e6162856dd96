import { describe, expect, it } from 'vitest';
import type { Interface, Network } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateBindings, validateDiscontinuedBindings } from './network-bindings.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const I = 'spec.domain.devices.interfaces';
const POD: Network = { name: 'default', pod: {} };
const BLUE: Network = { name: 'blue', multus: { networkName: 'ns/blue' } };
const spec = (iface: Interface) => specWith({ interfaces: [iface] }, { networks: [POD, BLUE] });

const discontinued: readonly DeniedCase[] = [
  { id: 'B55', title: 'slirp', spec: spec({ name: 'default', slirp: {} }), field: `${I}[0].slirp`, type: CauseType.Invalid, value: 'slirp' },
  { id: 'B55', title: 'passt (the old binding)', spec: spec({ name: 'default', passt: {} }), field: `${I}[0].passt`, type: CauseType.Invalid, value: 'passt' },
  { id: 'B55', title: 'macvtap', spec: spec({ name: 'blue', macvtap: {} }), field: `${I}[0].macvtap`, type: CauseType.Invalid, value: '"blue"' },
  { id: 'B55', title: 'macvtap in a VM template', template: true, spec: spec({ name: 'blue', macvtap: {} }), field: 'spec.template.spec.domain.devices.interfaces[0].macvtap', type: CauseType.Invalid, value: 'v1.3' },
];

const bindings: readonly DeniedCase[] = [
  { id: 'B66', title: 'a binding plugin with masquerade', spec: spec({ name: 'default', masquerade: {}, binding: { name: 'custom' } }), field: `${I}[0].binding`, type: CauseType.Invalid, value: '"custom"' },
  { id: 'B67', title: 'masquerade on a Multus network', spec: spec({ name: 'blue', masquerade: {} }), field: `${I}[0].name`, type: CauseType.Invalid, value: '"blue"' },
  { id: 'B67', title: 'masquerade without a network', spec: spec({ name: 'lost', masquerade: {} }), field: `${I}[0].name`, type: CauseType.Invalid, value: '"lost"' },
  { id: 'B68', title: 'masquerade with the in-pod bridge\'s MAC', spec: spec({ name: 'default', masquerade: {}, macAddress: '02:00:00:00:00:00' }), field: `${I}[0].macAddress`, type: CauseType.Invalid, value: '"02:00:00:00:00:00"' },
  { id: 'B69', title: 'bridge on the pod network when the cluster forbids it', cfg: { permitBridgeInterfaceOnPodNetwork: false }, spec: spec({ name: 'default', bridge: {} }), field: `${I}[0].name`, type: CauseType.Invalid, value: '"default"' },
  { id: 'B70', title: 'passtBinding (gate rule; kubevirt-ts has no passt)', spec: spec({ name: 'default', passtBinding: {} }), field: `${I}[0].name`, type: CauseType.NotSupported, value: '"default"' },
  { id: 'B70', title: 'passtBinding even with the PasstBinding gate on', cfg: { featureGates: ['PasstBinding'] }, spec: spec({ name: 'default', passtBinding: {} }), field: `${I}[0].name`, type: CauseType.NotSupported, value: 'not supported by kubevirt-ts' },
];

describe('validateDiscontinuedBindings', () => {
  it.each(discontinued)('$id denies $title', (c) => {
    const causes = causesOf(validateDiscontinuedBindings, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B55 reports each discontinued binding of one interface', () => {
    const causes = causesOf(validateDiscontinuedBindings, { spec: spec({ name: 'default', slirp: {}, macvtap: {} }) });
    expect(causes.map((c) => c.field)).toEqual([`${I}[0].slirp`, `${I}[0].macvtap`]);
  });

  it('B55 admits masquerade, bridge and passtBinding', () => {
    const s = specWith({ interfaces: [{ name: 'default', masquerade: {} }, { name: 'blue', bridge: {} }, { name: 'x', passtBinding: {} }] });
    expect(causesOf(validateDiscontinuedBindings, { spec: s })).toEqual([]);
  });
});

describe('validateBindings', () => {
  it.each(bindings)('$id denies $title', (c) => {
    const causes = causesOf(validateBindings, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B71 denies passtBinding on a Multus network, beside B70', () => {
    const causes = causesOf(validateBindings, { spec: spec({ name: 'blue', passtBinding: {} }) });
    expect(causes.map((c) => [c.field, c.type])).toEqual([[`${I}[0].name`, CauseType.NotSupported], [`${I}[0].name`, CauseType.Invalid]]);
    expect(causes[1]?.message).toContain('"blue": passtBinding is only implemented with the pod network');
  });

  it.each([
    ['B66', 'a binding plugin alone', spec({ name: 'blue', binding: { name: 'custom' } }), true],
    ['B67/B68', 'masquerade on the pod network with an ordinary MAC', spec({ name: 'default', masquerade: {}, macAddress: '02:00:00:00:00:01' }), true],
    ['B69', 'bridge on the pod network (permitted by default) and on Multus', specWith({ interfaces: [{ name: 'default', bridge: {} }, { name: 'blue', bridge: {} }] }, { networks: [POD, BLUE] }), true],
    ['B69', 'bridge on a Multus network when the cluster forbids it on the pod network', spec({ name: 'blue', bridge: {} }), false],
  ] as const)('%s admits %s', (_id, _title, s, permitBridgeInterfaceOnPodNetwork) => {
    expect(causesOf(validateBindings, { spec: s, cfg: { permitBridgeInterfaceOnPodNetwork } })).toEqual([]);
  });
});
