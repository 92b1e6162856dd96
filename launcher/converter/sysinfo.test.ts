import { describe, expect, it } from 'vitest';
import { newRawVmi, newVmi, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureSysinfo } from './sysinfo.js';

const UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';
const CLUSTER = [
  { name: 'manufacturer', value: 'KubeVirt' }, { name: 'family', value: 'KubeVirt' }, { name: 'product', value: 'None' },
  { name: 'sku', value: '' }, { name: 'version', value: '' },
];

describe('configureSysinfo', () => {
  it.each([
    ['the firmware uuid, then the cluster entries', newVmi(), { type: 'smbios', system: { entries: [{ name: 'uuid', value: UUID }, ...CLUSTER] } }],
    ['the serial after the uuid', newVmi(withDomain({ firmware: { serial: 'S/N 42' } })), { type: 'smbios', system: { entries: [{ name: 'uuid', value: UUID }, { name: 'serial', value: 'S/N 42' }, ...CLUSTER] } }],
    ['no firmware: cluster entries only', newRawVmi(), { type: 'smbios', system: { entries: CLUSTER } }],
    ['all five chassis entries', newVmi(withDomain({ chassis: { asset: 'A1', sku: 'K' } })), {
      type: 'smbios',
      system: { entries: [{ name: 'uuid', value: UUID }, ...CLUSTER] },
      chassis: { entries: [{ name: 'manufacturer', value: '' }, { name: 'version', value: '' }, { name: 'serial', value: '' }, { name: 'asset', value: 'A1' }, { name: 'sku', value: 'K' }] },
    }],
  ])('%s', (_what, vmi, expected) => {
    expect(configureSysinfo(vmi, testContext(), emptyDomain()).sysinfo).toEqual(expected);
  });

  it.each([
    [{ uuid: 'not-a-uuid' }, 'spec.domain.firmware.uuid: "not-a-uuid" is not allowed: libvirt accepts a UUID'],
    [{ uuid: UUID, serial: 'a\u0000' }, 'spec.domain.firmware.serial: contains the character U+0000'],
  ])('refuses firmware %j', (firmware, message) => {
    expect(() => configureSysinfo(newRawVmi(withDomain({ firmware })), testContext(), emptyDomain())).toThrow(message);
  });
});
