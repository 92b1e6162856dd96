/**
 * Hyper-V enlightenments, each emitted only when the VMI lists it (enabled unset = on), or
 * `mode="passthrough"` for `hypervPassthrough`. tlbflush's `direct`/`extended` sub-features are
 * not written: the libvirt we target (9.0) has no element for them.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/hypervisor_features.go
 */
import type { FeatureHyperv, FeatureState as VmiFeatureState } from '../../crd-gen/index.js';
import type { FeatureState, Hyperv } from '../domain/schema.js';
import { isEnabled, matching, onOff, xmlText } from './values.js';

/** libvirt's vendor_id value: at most 12 characters, no comma. */
const VENDOR_ID = /^[^,]{0,12}$/u;
const VENDOR_FIELD = 'spec.domain.features.hyperv.vendorid.vendorid';

function state(f: VmiFeatureState | undefined): FeatureState | undefined {
  return f === undefined ? undefined : { state: onOff(isEnabled(f)) };
}

const SIMPLE = [
  ['relaxed', 'relaxed'], ['vapic', 'vapic'], ['vpindex', 'vpindex'], ['runtime', 'runtime'], ['synic', 'synic'], ['reset', 'reset'],
  ['frequencies', 'frequencies'], ['reenlightenment', 'reenlightenment'], ['tlbflush', 'tlbflush'], ['ipi', 'ipi'], ['evmcs', 'evmcs'],
] as const satisfies readonly (readonly [keyof Hyperv, keyof FeatureHyperv])[];

function spinlocks(h: FeatureHyperv): Pick<Hyperv, 'spinlocks'> {
  const s = h.spinlocks;
  if (s === undefined) return {};
  return { spinlocks: { state: onOff(isEnabled(s)), ...(s.spinlocks === undefined ? {} : { retries: s.spinlocks }) } };
}

function stimer(h: FeatureHyperv): Pick<Hyperv, 'stimer'> {
  const t = h.synictimer;
  if (t === undefined) return {};
  const direct = state(t.direct);
  return { stimer: { state: onOff(isEnabled(t)), ...(direct === undefined ? {} : { direct }) } };
}

function vendorId(h: FeatureHyperv): Pick<Hyperv, 'vendorId'> {
  const v = h.vendorid;
  if (v === undefined) return {};
  const value = v.vendorid === undefined ? {} : { value: matching(VENDOR_FIELD, xmlText(VENDOR_FIELD, v.vendorid), VENDOR_ID, 'at most 12 characters and no ","') };
  return { vendorId: { state: onOff(isEnabled(v)), ...value } };
}

/** The `<hyperv>` element of a VMI's `features.hyperv`. */
export function hyperv(h: FeatureHyperv): Hyperv {
  const out: Hyperv = { ...spinlocks(h), ...stimer(h), ...vendorId(h) };
  for (const [to, from] of SIMPLE) {
    const s = state(h[from] as VmiFeatureState | undefined);
    if (s !== undefined) (out as Record<string, unknown>)[to] = s;
  }
  return out;
}
