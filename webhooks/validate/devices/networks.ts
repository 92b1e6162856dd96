/**
 * KubeVirt's network source rules (B56–B61): one pod network at most, one Multus default network
 * at most and never beside a pod network, and every network exactly one of pod or multus, a
 * Multus one with a network name.
 *
 * KubeVirt reports B56 on `spec.interfaces`, a field that does not exist; we report it on the
 * real field, `spec.networks`, where the pod networks are.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/netsource.go
 */
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { invalid, isSet, listOf, quote } from './common.js';

/**
 * B56–B61.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Networks and interfaces)
 */
export const validateNetworks: SpecValidator = (spec, path) => {
  const networks = spec.networks ?? [];
  const at = path.child('networks');
  const pods = networks.filter((n) => n.pod !== undefined).map((n) => quote(n.name));
  const multusDefaults = networks.filter((n) => n.multus?.default === true).map((n) => quote(n.name));
  const out: Cause[] = [];
  if (pods.length > 1) out.push(cause(CauseType.Duplicate, at, `more than one interface is connected to a pod network in ${at}: ${listOf(pods)}`));
  if (multusDefaults.length > 1) out.push(invalid(at, `${at} may have only one Multus default network, but has ${listOf(multusDefaults)}`));
  if (pods.length > 0 && multusDefaults.length > 0) {
    out.push(invalid(at, `${at} must not have a pod network (${listOf(pods)}) when a Multus default network (${listOf(multusDefaults)}) is set`));
  }
  networks.forEach((network, i) => {
    const field = at.index(i);
    if (network.pod === undefined && network.multus === undefined) out.push(cause(CauseType.Required, field, `${field} (${quote(network.name)}) needs a network type: pod or multus`));
    if (network.pod !== undefined && network.multus !== undefined) out.push(cause(CauseType.Required, field, `${field} (${quote(network.name)}) may have only one network type, but sets pod and multus`));
  });
  const nameless = networks.findIndex((n) => n.multus !== undefined && !isSet(n.multus.networkName));
  if (nameless !== -1) {
    out.push(cause(CauseType.Required, at.index(nameless), `${at.index(nameless)} (${quote(networks[nameless]?.name)}): the CNI plugin network must have a networkName`));
  }
  return out;
};
