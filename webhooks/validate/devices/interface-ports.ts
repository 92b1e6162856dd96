/**
 * KubeVirt's port rules (B81–B85), checked only for an interface on the pod network: unique,
 * well-formed port names first, then for each port a number in range and TCP or UDP.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/network/admitter/netiface.go (validatePortConfiguration)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Port } from '../../../crd-gen/index.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import { invalid, isSet, quote } from './common.js';
import type { InterfaceCheck } from './network-at.js';

const MAX_PORT_NAME = 15;
/** KubeVirt's bound, quirk included: 65536 itself passes. */
const MAX_PORT = 65536;
const PROTOCOLS = ['TCP', 'UDP'];

/** Why `name` is not a Kubernetes port name (IsValidPortName), or undefined. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > MAX_PORT_NAME) return `is longer than ${MAX_PORT_NAME} characters`;
  if (!/^[-a-z0-9]+$/.test(name)) return 'may only hold lower case letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.includes('--')) return 'must not contain "--"';
  return name.startsWith('-') || name.endsWith('-') ? 'must not begin or end with "-"' : undefined;
}

/** B81, B82 over every named port. */
function nameCauses(ports: readonly Readonly<Port>[], base: FieldPath): Cause[] {
  const seen = new Set<string>();
  return ports.flatMap((port, k) => {
    const name = port.name;
    if (!isSet(name)) return [];
    const at = base.index(k).child('name');
    const out: Cause[] = [];
    if (seen.has(name)) out.push(cause(CauseType.Duplicate, at, `${at} ${quote(name)} is a duplicate port name`));
    const problem = portNameProblem(name);
    if (problem !== undefined) out.push(invalid(at, `${at} ${quote(name)} is an invalid port name: it ${problem}`));
    seen.add(name);
    return out;
  });
}

/** B83, B84, B85 for one port. */
function portCauses(port: Readonly<Port>, at: FieldPath): Cause[] {
  const out: Cause[] = [];
  const number = port.port ?? 0;
  if (number === 0) out.push(cause(CauseType.Required, at, `${at}.port is mandatory`));
  if (number < 0 || number > MAX_PORT) out.push(invalid(at, `${at}.port ${number} must be in the range 0 < x < 65536`));
  const protocol = port.protocol;
  if (isSet(protocol) && !PROTOCOLS.includes(protocol)) {
    out.push(invalid(at.child('protocol'), `${at}.protocol ${quote(protocol)} is unknown; only TCP or UDP are allowed`));
  }
  return out;
}

/** B81–B85 for one interface. */
export const interfacePortCauses: InterfaceCheck = ({ iface, field, network }) => {
  const ports = iface.ports;
  if (network?.pod === undefined || ports === undefined) return [];
  const base = field.child('ports');
  return [...nameCauses(ports, base), ...ports.flatMap((port, k) => portCauses(port, base.index(k)))];
};
