import { describe, expect, it } from 'vitest';
import type { Network } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateNetworks } from './networks.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const N = 'spec.networks';
const nets = (...networks: Network[]) => specWith({}, { networks });
const pod = (name: string): Network => ({ name, pod: {} });
const multus = (name: string, isDefault = false): Network => ({ name, multus: { networkName: `ns/${name}`, ...(isDefault ? { default: true } : {}) } });

const denied: readonly DeniedCase[] = [
  { id: 'B56', title: 'two pod networks (on spec.networks, not KubeVirt\'s spec.interfaces)', spec: nets(pod('a'), pod('b')), field: N, type: CauseType.Duplicate, value: '"a", "b"' },
  { id: 'B56', title: 'two pod networks in a VM template', template: true, spec: nets(pod('a'), pod('b')), field: 'spec.template.spec.networks', type: CauseType.Duplicate, value: '"b"' },
  { id: 'B57', title: 'two Multus default networks', spec: nets(multus('a', true), multus('b', true)), field: N, type: CauseType.Invalid, value: '"a", "b"' },
  { id: 'B58', title: 'a pod network beside a Multus default network', spec: nets(pod('a'), multus('b', true)), field: N, type: CauseType.Invalid, value: '"b"' },
  { id: 'B59', title: 'a network without a type', spec: nets({ name: 'x' }), field: `${N}[0]`, type: CauseType.Required, value: '"x"' },
  { id: 'B60', title: 'a network with pod and multus', spec: nets({ name: 'x', pod: {}, multus: { networkName: 'n' } }), field: `${N}[0]`, type: CauseType.Required, value: '"x"' },
  { id: 'B61', title: 'a Multus network without a networkName', spec: nets(pod('a'), { name: 'm', multus: { networkName: '' } }), field: `${N}[1]`, type: CauseType.Required, value: '"m"' },
];

describe('validateNetworks', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateNetworks, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B61 reports only the first Multus network without a name', () => {
    const causes = causesOf(validateNetworks, { spec: nets({ name: 'a', multus: { networkName: '' } }, { name: 'b', multus: { networkName: '' } }) });
    expect(causes.map((c) => c.field)).toEqual([`${N}[0]`]);
  });

  it.each([
    ['B56/B58', 'one pod network and secondary Multus networks', nets(pod('default'), multus('blue'), multus('red'))],
    ['B57/B58', 'one Multus default network and a secondary one', nets(multus('a', true), multus('b'))],
    ['B59-B61', 'no networks at all', specWith({})],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateNetworks, { spec })).toEqual([]);
  });
});
