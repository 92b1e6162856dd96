/**
 * KubeVirt's interface state rules (B62–B65): `absent`, `down` or `up`; SR-IOV NICs cannot be set
 * down or up; only bridge-bound secondary interfaces can be absent.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/ (validateInterfaceStateValue)
 */
import type { Network } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { invalid, isSet, listOf, quote } from './common.js';
import { checkInterfaces, type InterfaceAt } from './network-at.js';

const STATES = ['absent', 'down', 'up'];

/** The default network: the first one that is not a secondary Multus network. */
function defaultNetworkName(networks: readonly Readonly<Network>[]): string | undefined {
  return networks.find((n) => n.pod !== undefined || n.multus?.default === true)?.name;
}

function stateCauses({ iface, field }: InterfaceAt, defaultNetwork: string | undefined): Cause[] {
  const state = iface.state as string | undefined;
  if (!isSet(state)) return [];
  const at = field.child('state');
  const name = quote(iface.name);
  if (!STATES.includes(state)) return [invalid(at, `${at} ${quote(state)} is not a supported logical state for interface ${name}; use one of ${listOf(STATES)}`)];
  const out: Cause[] = [];
  if (iface.sriov !== undefined && state !== 'absent') out.push(invalid(at, `${at} ${quote(state)} is not supported for the SR-IOV interface ${name}`));
  if (state === 'absent' && iface.bridge === undefined) out.push(invalid(at, `${at} "absent" is supported only with the bridge binding, which interface ${name} does not use`));
  if (state === 'absent' && iface.name === defaultNetwork) out.push(invalid(at, `${at} "absent" is not supported on interface ${name} of the default network`));
  return out;
}

/** B62–B65. */
export const validateInterfaceStates: SpecValidator = (spec, path, ctx) => {
  const defaultNetwork = defaultNetworkName(spec.networks ?? []);
  return checkInterfaces(spec, path, ctx, [(at) => stateCauses(at, defaultNetwork)]);
};
