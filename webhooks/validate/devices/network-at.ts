/**
 * What the network rules share: interfaces with their field paths and their networks, looked up by
 * name as KubeVirt indexes them (a later network of a repeated name wins, as in its Go map).
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Interface, Network } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { devicesOf, devicesPath, type Spec } from './common.js';

/** One interface under validation. */
export interface InterfaceAt {
  readonly iface: Readonly<Interface>;
  readonly index: number;
  /** `<spec>.domain.devices.interfaces[index]`. */
  readonly field: FieldPath;
  /** The network of the interface's name, if any. */
  readonly network: Readonly<Network> | undefined;
  readonly ctx: SpecContext;
}

/** One per-interface rule. */
export type InterfaceCheck = (at: InterfaceAt) => Cause[];

/** Networks by name; a repeated name keeps the later network. */
export function networksByName(spec: Spec): ReadonlyMap<string, Readonly<Network>> {
  return new Map((spec.networks ?? []).map((n) => [n.name, n]));
}

/** Every interface of the spec with what the rules need, in list order. */
export function interfacesOf(spec: Spec, path: FieldPath, ctx: SpecContext): InterfaceAt[] {
  const networks = networksByName(spec);
  const base = devicesPath(path).child('interfaces');
  return (devicesOf(spec).interfaces ?? []).map((iface, index) => ({ iface, index, field: base.index(index), network: networks.get(iface.name), ctx }));
}

/** Runs per-interface checks over every interface, in order (interface by interface). */
export function checkInterfaces(spec: Spec, path: FieldPath, ctx: SpecContext, checks: readonly InterfaceCheck[]): Cause[] {
  return interfacesOf(spec, path, ctx).flatMap((at) => checks.flatMap((check) => check(at)));
}
