/**
 * KubeVirt's DHCP option rules (B86–B88): private option numbers are unique and within the
 * private range 224–254, and NTP servers are IPv4 addresses.
 *
 * KubeVirt reports B86 and B87 on the bare spec path; we report the real fields
 * (`dhcpOptions.privateOptions`, and each bad entry's `option`).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/ (validateDHCPOptions)
 */
import type { Cause } from '../../cause.js';
import { invalid, listOf, quote } from './common.js';
import type { InterfaceCheck } from './network-at.js';

const PRIVATE_MIN = 224;
const PRIVATE_MAX = 254;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** Go's ParseIP(…).To4(): a dotted quad without leading zeros, or the same mapped into IPv6. */
const IPV4 = new RegExp(`^(?:::ffff:)?${OCTET}(?:\\.${OCTET}){3}$`, 'i');

/** B86–B88 for one interface. */
export const dhcpOptionCauses: InterfaceCheck = ({ iface, field }) => {
  const options = iface.dhcpOptions;
  if (options === undefined) return [];
  const base = field.child('dhcpOptions');
  const out: Cause[] = [];
  const privateOptions = options.privateOptions ?? [];
  const numbers = privateOptions.map((o) => o.option);
  const repeated = [...new Set(numbers.filter((n, k) => numbers.indexOf(n) < k))];
  if (repeated.length > 0) {
    const at = base.child('privateOptions');
    out.push(invalid(at, `${at} repeats the option ${listOf(repeated.map(String))}; each private option may appear once`));
  }
  privateOptions.forEach((o, k) => {
    const at = base.child('privateOptions').index(k).child('option');
    if (!(o.option >= PRIVATE_MIN && o.option <= PRIVATE_MAX)) out.push(invalid(at, `${at} ${o.option} is not a private DHCP option; use ${PRIVATE_MIN} to ${PRIVATE_MAX}`));
  });
  (options.ntpServers ?? []).forEach((server, k) => {
    const at = base.child('ntpServers').index(k);
    if (!IPV4.test(server)) out.push(invalid(at, `${at} ${quote(server)} is not an IPv4 address; NTP servers must be IPv4 addresses`));
  });
  return out;
};
