/**
 * Interfaces KubeVirt accepts but kubevirt-ts' converter cannot attach, refused here so admission
 * never admits a VMI the launcher cannot start. The launcher attaches masquerade and bridge NICs
 * only: SR-IOV and binding plugins are refused (passtBinding by B70, slirp, passt and macvtap by
 * B55). A VMI interface with no binding at all is refused too; a VM template's is not, since its
 * preference may still give it one when the VMI is made. MAC addresses must be unicast and are
 * written with `:` or `-` (libvirt takes no dotted form).
 * @see ../../../launcher/converter/interfaces.ts
 */
import type { SpecValidator } from '../types.js';
import { isSet, notSupported, quote } from './common.js';
import { parseMac } from './mac-address.js';
import { checkInterfaces, type InterfaceCheck } from './network-at.js';

const ATTACHABLE = ['masquerade', 'bridge'] as const;
/** Every binding field KubeVirt knows; an interface with none of them has no binding. */
const ALL_BINDINGS = [...ATTACHABLE, 'sriov', 'binding', 'passtBinding', 'slirp', 'passt', 'macvtap'] as const;
const UNATTACHABLE = [['sriov', 'the SR-IOV binding'], ['binding', 'a network binding plugin']] as const;
const HINT = 'use masquerade or bridge';

/** SR-IOV and plugin bindings, and (on a VMI) no binding; an absent interface is never attached. */
const binding: InterfaceCheck = ({ iface, field, ctx }) => {
  if (iface.state === 'absent') return [];
  const refused = UNATTACHABLE.filter(([key]) => iface[key] !== undefined)
    .map(([key, what]) => notSupported(field.child(key), `${what} of interface ${quote(iface.name)}`, HINT));
  const none = ALL_BINDINGS.every((key) => iface[key] === undefined);
  if (none && ctx.origin === 'VirtualMachineInstance') refused.push(notSupported(field, `interface ${quote(iface.name)} without a binding`, HINT));
  return refused;
};

/** Only 6-byte MACs reach here refused; longer ones are KubeVirt's own rule (B79). */
const macAddress: InterfaceCheck = ({ iface, field }) => {
  const value = iface.macAddress;
  const mac = isSet(value) ? parseMac(value) : undefined;
  if (mac === undefined || mac.bytes !== 6) return [];
  const at = field.child('macAddress');
  if (mac.form === 'dot') return [notSupported(at, `the dotted MAC address form ${quote(value)}`, 'write it as six hex pairs separated by ":"')];
  if ((mac.firstOctet & 1) === 1) return [notSupported(at, `the multicast MAC address ${quote(value)}`, 'a NIC needs a unicast address (an even first octet)')];
  return [];
};

/** Refuses interfaces the kubevirt-ts launcher cannot attach. */
export const validateInterfaceSupport: SpecValidator = (spec, path, ctx) => checkInterfaces(spec, path, ctx, [binding, macAddress]);
