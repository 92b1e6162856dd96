/**
 * KubeVirt's binding rules: the bindings discontinued in v1.3 (B55, checked first), and the
 * binding rules proper (B66–B71): a plugin binding is never combined with a binding method,
 * masquerade and passt need the pod network, masquerade keeps off the in-pod bridge's MAC, and a
 * bridge on the pod network needs the cluster's permission.
 *
 * B70 (passtBinding needs the PasstBinding gate) guards a binding kubevirt-ts does not implement,
 * so passtBinding is refused as not supported whatever the gates say.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/binding.go, discontinued.go
 */
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { invalid, notSupported, quote } from './common.js';
import { checkInterfaces, type InterfaceCheck } from './network-at.js';

/** The in-pod bridge's own MAC address, compared as a string, as KubeVirt compares it. */
const RESERVED_MAC = '02:00:00:00:00:00';
const DISCONTINUED = ['slirp', 'passt', 'macvtap'] as const;

/** B55: one cause per discontinued binding set. */
const discontinued: InterfaceCheck = ({ iface, field }) =>
  DISCONTINUED.filter((binding) => iface[binding] !== undefined).map((binding) =>
    invalid(field.child(binding), `${field}.${binding}: the ${binding} binding of interface ${quote(iface.name)} was discontinued in KubeVirt v1.3; use masquerade or bridge`));

/** B55 over every interface. */
export const validateDiscontinuedBindings: SpecValidator = (spec, path, ctx) => checkInterfaces(spec, path, ctx, [discontinued]);

/** B66. */
const pluginWithMethod: InterfaceCheck = ({ iface, field }) => {
  const methods = (['bridge', 'masquerade', 'sriov', 'passtBinding'] as const).filter((m) => iface[m] !== undefined);
  if (iface.binding === undefined || methods.length === 0) return [];
  const at = field.child('binding');
  return [invalid(at, `${at}: interface ${quote(iface.name)} cannot have both the binding plugin ${quote(iface.binding.name)} and the binding method ${methods.join(', ')}`)];
};

/** B67, B68. */
const masquerade: InterfaceCheck = ({ iface, field, network }) => {
  if (iface.masquerade === undefined) return [];
  const out: Cause[] = [];
  if (network?.pod === undefined) out.push(invalid(field.child('name'), `${field}.name ${quote(iface.name)}: masquerade is only implemented with the pod network`));
  if (iface.macAddress === RESERVED_MAC) {
    out.push(invalid(field.child('macAddress'), `${field}.macAddress ${quote(iface.macAddress)} is reserved for the in-pod bridge; choose another one`));
  }
  return out;
};

/** B69. */
const bridgeOnPod: InterfaceCheck = ({ iface, field, network, ctx }) => {
  if (iface.bridge === undefined || network?.pod === undefined || ctx.cfg.permitBridgeInterfaceOnPodNetwork) return [];
  const at = field.child('name');
  return [invalid(at, `${at} ${quote(iface.name)}: a bridge on the pod network is not enabled in the cluster configuration (permitBridgeInterfaceOnPodNetwork)`)];
};

/** B70 (as a refusal) and B71. */
const passt: InterfaceCheck = ({ iface, field, network }) => {
  if (iface.passtBinding === undefined) return [];
  const at = field.child('name');
  const out = [notSupported(at, `the passtBinding binding of interface ${quote(iface.name)}`, 'use masquerade or bridge')];
  if (network?.pod === undefined) out.push(invalid(at, `${at} ${quote(iface.name)}: passtBinding is only implemented with the pod network`));
  return out;
};

/** B66–B71 over every interface. */
export const validateBindings: SpecValidator = (spec, path, ctx) => checkInterfaces(spec, path, ctx, [pluginWithMethod, masquerade, bridgeOnPod, passt]);
