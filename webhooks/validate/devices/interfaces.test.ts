import { describe, expect, it } from 'vitest';
import type { Interface } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateInterfaceFields } from './interfaces.js';
import { parseMac } from './mac-address.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const I = 'spec.domain.devices.interfaces';
const spec = (iface: Omit<Interface, 'name'> & { name?: string }) => specWith({ interfaces: [{ name: 'default', masquerade: {}, ...iface }] }, { networks: [{ name: 'default', pod: {} }] });

const denied: readonly DeniedCase[] = [
  { id: 'B76', title: 'an interface name with a dot', spec: spec({ name: 'eth.0' }), field: `${I}[0].name`, type: CauseType.Invalid, value: '"eth.0"' },
  { id: 'B76', title: 'an empty interface name', spec: spec({ name: '' }), field: `${I}[0].name`, type: CauseType.Invalid, value: '""' },
  { id: 'B77', title: 'the model virtio-net', spec: spec({ model: 'virtio-net' as 'virtio' }), field: `${I}[0].model`, type: CauseType.NotSupported, value: '"virtio-net"' },
  { id: 'B78', title: 'a malformed MAC', spec: spec({ macAddress: '02:00:00:00:00' }), field: `${I}[0].macAddress`, type: CauseType.Invalid, value: '"02:00:00:00:00"' },
  { id: 'B78', title: 'a MAC mixing separators', spec: spec({ macAddress: '02:00-00:00:00:01' }), field: `${I}[0].macAddress`, type: CauseType.Invalid, value: '"02:00-00:00:00:01"' },
  { id: 'B79', title: 'an EUI-64 MAC', spec: spec({ macAddress: '02:00:00:00:00:00:00:01' }), field: `${I}[0].macAddress`, type: CauseType.Invalid, value: '8 bytes' },
  { id: 'B79', title: 'a 20-byte dotted MAC', spec: spec({ macAddress: Array(10).fill('0200').join('.') }), field: `${I}[0].macAddress`, type: CauseType.Invalid, value: '20 bytes' },
  { id: 'B80', title: 'a malformed PCI address', spec: spec({ pciAddress: '00:05.0' }), field: `${I}[0].pciAddress`, type: CauseType.Invalid, value: '"00:05.0"' },
];

describe('validateInterfaceFields: names, models, addresses', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateInterfaceFields, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['B76', 'names of letters, digits, "-" and "_"', spec({ name: 'Net_1-a' })],
    ['B77', 'every KubeVirt model', specWith({ interfaces: ['e1000', 'e1000e', 'igb', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio'].map((m, i) => ({ name: `n${i}`, bridge: {}, model: m as 'virtio' })) })],
    ['B78/B79', 'six-byte MACs in all three forms', specWith({ interfaces: ['02:00:00:00:00:01', '02-00-00-00-00-02', '0200.0000.0003'].map((m, i) => ({ name: `n${i}`, bridge: {}, macAddress: m })) })],
    ['B80', 'a PCI address', spec({ pciAddress: '0000:81:01.7' })],
  ])('%s admits %s', (_id, _title, s) => {
    expect(causesOf(validateInterfaceFields, { spec: s })).toEqual([]);
  });

  it('runs interface by interface, in KubeVirt\'s order of checks', () => {
    const s = specWith({ interfaces: [{ name: 'a.b', model: 'x' as 'virtio' }, { name: 'c', macAddress: 'zz' }] });
    expect(causesOf(validateInterfaceFields, { spec: s }).map((c) => c.field)).toEqual([`${I}[0].name`, `${I}[0].model`, `${I}[1].macAddress`]);
  });

  it.each([
    ['02:00:00:00:00:01', { bytes: 6, form: 'colon', firstOctet: 2 }],
    ['03-00-00-00-00-01', { bytes: 6, form: 'dash', firstOctet: 3 }],
    ['0a00.0000.0001', { bytes: 6, form: 'dot', firstOctet: 10 }],
    ['02:00:00:00:00:00:00:01', { bytes: 8, form: 'colon', firstOctet: 2 }],
    ['02:00:00:00:00:00:01', undefined],
    ['0200.0000.01', undefined],
    ['02:00:00:00:00:0g', undefined],
  ])('parseMac(%j) is Go\'s ParseMAC result %j', (text, parsed) => {
    expect(parseMac(text)).toEqual(parsed);
  });
});
