import { describe, expect, it } from 'vitest';
import type { Interface, Network } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateInterfaceStates } from './interface-state.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const I = 'spec.domain.devices.interfaces';
const POD: Network = { name: 'default', pod: {} };
const BLUE: Network = { name: 'blue', multus: { networkName: 'ns/blue' } };
const spec = (iface: Interface, networks: Network[] = [POD, BLUE]) => specWith({ interfaces: [iface] }, { networks });

const denied: readonly DeniedCase[] = [
  { id: 'B62', title: 'state "paused"', spec: spec({ name: 'blue', bridge: {}, state: 'paused' as 'up' }), field: `${I}[0].state`, type: CauseType.Invalid, value: '"paused"' },
  { id: 'B63', title: 'an SR-IOV interface set down', spec: spec({ name: 'blue', sriov: {}, state: 'down' }), field: `${I}[0].state`, type: CauseType.Invalid, value: '"down"' },
  { id: 'B64', title: 'an absent masquerade interface', spec: spec({ name: 'blue', masquerade: {}, state: 'absent' }), field: `${I}[0].state`, type: CauseType.Invalid, value: '"blue"' },
  { id: 'B65', title: 'an absent interface on the pod network', spec: spec({ name: 'default', bridge: {}, state: 'absent' }), field: `${I}[0].state`, type: CauseType.Invalid, value: '"default"' },
  {
    id: 'B65', title: 'an absent interface on a Multus default network',
    spec: spec({ name: 'm', bridge: {}, state: 'absent' }, [{ name: 'm', multus: { networkName: 'ns/m', default: true } }]),
    field: `${I}[0].state`, type: CauseType.Invalid, value: '"m"',
  },
];

describe('validateInterfaceStates', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateInterfaceStates, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['B62', 'states up and down', specWith({ interfaces: [{ name: 'default', masquerade: {}, state: 'up' }, { name: 'blue', bridge: {}, state: 'down' }] }, { networks: [POD, BLUE] })],
    ['B63', 'an SR-IOV interface without a state, and one with an empty state', specWith({ interfaces: [{ name: 'blue', sriov: {} }, { name: 'red', sriov: {}, state: '' }] }, { networks: [POD, BLUE] })],
    ['B64/B65', 'an absent bridge interface on a secondary network', spec({ name: 'blue', bridge: {}, state: 'absent' })],
  ])('%s admits %s', (_id, _title, s) => {
    expect(causesOf(validateInterfaceStates, { spec: s })).toEqual([]);
  });
});
