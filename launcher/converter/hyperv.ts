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

function spinlocks(s: NonNullable<FeatureHyperv['spinlocks']>): NonNullable<Hyperv['spinlocks']> {
  const out: NonNullable<Hyperv['spinlocks']> = { state: onOff(isEnabled(s)) };
  if (s.spinlocks !== undefined) out.retries = s.spinlocks;
  return out;
}

function stimer(t: NonNullable<FeatureHyperv['synictimer']>): NonNullable<Hyperv['stimer']> {
  const out: NonNullable<Hyperv['stimer']> = { state: onOff(isEnabled(t)) };
  if (t.direct !== undefined) out.direct = { state: onOff(isEnabled(t.direct)) };
  return out;
}

function vendorId(v: NonNullable<FeatureHyperv['vendorid']>): NonNullable<Hyperv['vendorId']> {
  const out: NonNullable<Hyperv['vendorId']> = { state: onOff(isEnabled(v)) };
  if (v.vendorid !== undefined) out.value = matching(VENDOR_FIELD, xmlText(VENDOR_FIELD, v.vendorid), VENDOR_ID, 'at most 12 characters and no ","');
  return out;
}

/** The `<hyperv>` element of a VMI's `features.hyperv`. */
export function hyperv(h: FeatureHyperv): Hyperv {
  const out: Hyperv = {};
  if (h.spinlocks !== undefined) out.spinlocks = spinlocks(h.spinlocks);
  if (h.synictimer !== undefined) out.stimer = stimer(h.synictimer);
  if (h.vendorid !== undefined) out.vendorId = vendorId(h.vendorid);
  for (const [to, from] of SIMPLE) {
    const s = state(h[from] as VmiFeatureState | undefined);
    if (s !== undefined) out[to] = s;
  }
  return out;
}
