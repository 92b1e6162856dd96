import { describe, expect, it } from 'vitest';
import { CauseType } from '../../cause.js';
import { validateNetworkNames } from './network-names.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const I = 'spec.domain.devices.interfaces';
const N = 'spec.networks';

const denied: readonly DeniedCase[] = [
  {
    id: 'B72', title: 'a repeated network name',
    spec: specWith({ interfaces: [{ name: 'a', bridge: {} }] }, { networks: [{ name: 'a', pod: {} }, { name: 'a', multus: { networkName: 'x' } }] }),
    field: `${N}[1].name`, type: CauseType.Duplicate, value: '"a"',
  },
  { id: 'B73', title: 'a network without an interface', spec: specWith({}, { networks: [{ name: 'lonely', pod: {} }] }), field: `${N}[0].name`, type: CauseType.Required, value: `${N}[0].name 'lonely' not found.` },
  {
    id: 'B74', title: 'a repeated interface name',
    spec: specWith({ interfaces: [{ name: 'a', bridge: {} }, { name: 'a', masquerade: {} }] }, { networks: [{ name: 'a', pod: {} }] }),
    field: `${I}[1].name`, type: CauseType.Duplicate, value: '"a"',
  },
  { id: 'B75', title: 'an interface without a network', spec: specWith({ interfaces: [{ name: 'eth1', bridge: {} }] }), field: `${I}[0].name`, type: CauseType.Invalid, value: `${I}[0].name 'eth1' not found.` },
  { id: 'B75', title: 'an interface without a network in a VM template', template: true, spec: specWith({ interfaces: [{ name: 'eth1', bridge: {} }] }), field: 'spec.template.spec.domain.devices.interfaces[0].name', type: CauseType.Invalid, value: "'eth1'" },
];

describe('validateNetworkNames', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateNetworkNames, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B72 and B74 report every later repeat', () => {
    const s = specWith({ interfaces: [{ name: 'a' }, { name: 'a' }, { name: 'a' }] }, { networks: [{ name: 'a', pod: {} }, { name: 'a', pod: {} }, { name: 'a', pod: {} }] });
    expect(causesOf(validateNetworkNames, { spec: s }).map((c) => c.field)).toEqual([`${N}[1].name`, `${N}[2].name`, `${I}[1].name`, `${I}[2].name`]);
  });

  it.each([
    ['B72-B75', 'interfaces and networks that pair up', specWith({ interfaces: [{ name: 'default', masquerade: {} }, { name: 'blue', bridge: {} }] }, { networks: [{ name: 'blue', multus: { networkName: 'b' } }, { name: 'default', pod: {} }] })],
    ['B72-B75', 'neither interfaces nor networks', specWith({})],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateNetworkNames, { spec })).toEqual([]);
  });
});
