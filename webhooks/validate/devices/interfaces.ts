/**
 * KubeVirt's per-interface field rules (B76–B88), interface by interface: the name's characters,
 * the NIC model, MAC and PCI addresses, then ports and DHCP options.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/netiface.go (validateInterfacesFields)
 */
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { invalid, isPciAddress, isSet, listOf, quote } from './common.js';
import { dhcpOptionCauses } from './dhcp-options.js';
import { interfacePortCauses } from './interface-ports.js';
import { parseMac } from './mac-address.js';
import { checkInterfaces, type InterfaceCheck } from './network-at.js';

const NAME = /^[A-Za-z0-9_-]+$/;
const MODELS = ['e1000', 'e1000e', 'igb', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio'];
/** The longest MAC a NIC takes, in bytes. */
const MAC_BYTES = 6;

/** B76. */
const name: InterfaceCheck = ({ iface, field }) => {
  if (NAME.test(iface.name ?? '')) return [];
  const at = field.child('name');
  return [invalid(at, `${at} ${quote(iface.name ?? '')} may only contain letters, digits, "-" and "_"`)];
};

/** B77. */
const model: InterfaceCheck = ({ iface, field }) => {
  const value = iface.model as string | undefined;
  if (!isSet(value) || MODELS.includes(value)) return [];
  const at = field.child('model');
  return [cause(CauseType.NotSupported, at, `interface ${quote(iface.name)} uses the model ${quote(value)}, which is not supported; use one of ${listOf(MODELS)}`)];
};

/** B78, B79. */
const macAddress: InterfaceCheck = ({ iface, field }) => {
  const value = iface.macAddress;
  if (!isSet(value)) return [];
  const at = field.child('macAddress');
  const mac = parseMac(value);
  if (mac === undefined) return [invalid(at, `interface ${quote(iface.name)} has the malformed MAC address ${quote(value)}`)];
  if (mac.bytes > MAC_BYTES) return [invalid(at, `interface ${quote(iface.name)} has the MAC address ${quote(value)} of ${mac.bytes} bytes, which is too long; use 6 bytes`)];
  return [];
};

/** B80. */
const pciAddress: InterfaceCheck = ({ iface, field }) => {
  const value = iface.pciAddress;
  if (!isSet(value) || isPciAddress(value)) return [];
  return [invalid(field.child('pciAddress'), `interface ${quote(iface.name)} has the malformed PCI address ${quote(value)}; use DDDD:BB:SS.F in hex, function 0-7`)];
};

const CHECKS: readonly InterfaceCheck[] = [name, model, macAddress, pciAddress, interfacePortCauses, dhcpOptionCauses];

/**
 * B76–B88, in KubeVirt's per-interface order.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Networks and interfaces)
 */
export const validateInterfaceFields: SpecValidator = (spec, path, ctx): Cause[] => checkInterfaces(spec, path, ctx, CHECKS);
