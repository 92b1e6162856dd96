/**
 * KubeVirt's name rules between networks and interfaces (B72–B75): network names and interface
 * names are unique, and each network has its interface and each interface its network.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/netiface.go
 */
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { devicesOf, devicesPath, invalid, quote } from './common.js';

/**
 * B72–B75.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Networks and interfaces)
 */
export const validateNetworkNames: SpecValidator = (spec, path) => {
  const networks = (spec.networks ?? []).map((n) => n.name);
  const interfaces = (devicesOf(spec).interfaces ?? []).map((i) => i.name);
  const netBase = path.child('networks');
  const ifaceBase = devicesPath(path).child('interfaces');
  const out: Cause[] = [];
  networks.forEach((name, i) => {
    const at = netBase.index(i).child('name');
    if (networks.indexOf(name) < i) out.push(cause(CauseType.Duplicate, at, `a network named ${quote(name)} already exists; every network must have a unique name`));
  });
  networks.forEach((name, i) => {
    const at = netBase.index(i).child('name');
    if (!interfaces.includes(name)) out.push(cause(CauseType.Required, at, `${at} '${name}' not found.`));
  });
  interfaces.forEach((name, i) => {
    const at = ifaceBase.index(i).child('name');
    if (interfaces.indexOf(name) < i) out.push(cause(CauseType.Duplicate, at, `only one interface can be connected to one specific network; ${quote(name)} is used again`));
  });
  interfaces.forEach((name, i) => {
    const at = ifaceBase.index(i).child('name');
    if (!networks.includes(name)) out.push(invalid(at, `${at} '${name}' not found.`));
  });
  return out;
};
