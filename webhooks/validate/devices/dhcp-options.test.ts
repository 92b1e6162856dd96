import { describe, expect, it } from 'vitest';
import type { DHCPOptions } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateInterfaceFields } from './interfaces.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const O = 'spec.domain.devices.interfaces[0].dhcpOptions';
const dhcp = (dhcpOptions: DHCPOptions) => specWith({ interfaces: [{ name: 'default', bridge: {}, dhcpOptions }] }, { networks: [{ name: 'default', pod: {} }] });

const denied: readonly DeniedCase[] = [
  {
    id: 'B86', title: 'a repeated private option (on its real field, not the bare spec)',
    spec: dhcp({ privateOptions: [{ option: 240, value: 'a' }, { option: 240, value: 'b' }] }), field: `${O}.privateOptions`, type: CauseType.Invalid, value: '240',
  },
  { id: 'B87', title: 'private option 223', spec: dhcp({ privateOptions: [{ option: 223, value: 'a' }] }), field: `${O}.privateOptions[0].option`, type: CauseType.Invalid, value: '223' },
  { id: 'B87', title: 'private option 255', spec: dhcp({ privateOptions: [{ option: 224, value: 'a' }, { option: 255, value: 'b' }] }), field: `${O}.privateOptions[1].option`, type: CauseType.Invalid, value: '255' },
  { id: 'B88', title: 'an IPv6 NTP server', spec: dhcp({ ntpServers: ['127.0.0.1', '2001:db8::1'] }), field: `${O}.ntpServers[1]`, type: CauseType.Invalid, value: '"2001:db8::1"' },
  { id: 'B88', title: 'an NTP server name', spec: dhcp({ ntpServers: ['pool.ntp.org'] }), field: `${O}.ntpServers[0]`, type: CauseType.Invalid, value: '"pool.ntp.org"' },
  { id: 'B88', title: 'an IPv4 address with a leading zero', spec: dhcp({ ntpServers: ['10.0.0.01'] }), field: `${O}.ntpServers[0]`, type: CauseType.Invalid, value: '"10.0.0.01"' },
];

describe('validateInterfaceFields: DHCP options', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateInterfaceFields, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B86 and B87 report a repeated out-of-range option once as a repeat and once per entry', () => {
    const causes = causesOf(validateInterfaceFields, { spec: dhcp({ privateOptions: [{ option: 1, value: 'a' }, { option: 1, value: 'b' }] }) });
    expect(causes.map((c) => c.field)).toEqual([`${O}.privateOptions`, `${O}.privateOptions[0].option`, `${O}.privateOptions[1].option`]);
  });

  it.each([
    ['B86-B88', 'distinct private options 224 and 254, IPv4 NTP servers (also IPv4-mapped)', dhcp({ privateOptions: [{ option: 224, value: 'a' }, { option: 254, value: 'b' }], ntpServers: ['192.168.1.1', '0.0.0.0', '::ffff:10.1.2.3'], bootFileName: 'pxe', tftpServerName: 'tftp' })],
    ['B86-B88', 'empty DHCP options', dhcp({})],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateInterfaceFields, { spec })).toEqual([]);
  });
});
