/**
 * Hyper-V enlightenments. For a VMI (KubeVirt runs these in its VMI create admitter only): an
 * enabled enlightenment needs its prerequisite enabled (A81, reported on the real
 * `domain.features.hyperv.<feature>` where KubeVirt doubles the prefix), `hyperv` and
 * `hypervPassthrough` are exclusive (A82), and evmcs needs the vmx CPU feature with the require
 * policy (A83, A84). For every spec: the vendor id is what libvirt accepts (AX18).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/hyperv.go
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { FeatureHyperv } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, isOn, libvirtPatternCauses, xmlTextCauses, type Spec } from './common.js';

type HypervKey = keyof FeatureHyperv;

/** Feature → prerequisite, leaves first (KubeVirt's order). */
const DEPENDENCIES: readonly (readonly [HypervKey, HypervKey])[] = [
  ['evmcs', 'vapic'], ['ipi', 'vpindex'], ['tlbflush', 'vpindex'], ['synictimer', 'synic'], ['synic', 'vpindex'],
];

/** libvirt's vendor_id value: at most 12 characters, no comma. */
const VENDOR_ID = /^[^,]{0,12}$/u;

/** Validation counts a switch as on only when `enabled` is explicitly true (the mutator has set it). */
function explicitlyOn(h: FeatureHyperv, key: HypervKey): boolean {
  return (h[key] as { enabled?: boolean } | undefined)?.enabled === true;
}

/** A81. */
function dependencyCauses(h: FeatureHyperv, field: FieldPath): Cause[] {
  return DEPENDENCIES.filter(([feature, needs]) => explicitlyOn(h, feature) && !explicitlyOn(h, needs))
    .map(([feature, needs]) => cause(CauseType.Invalid, field.child(feature), `'${field.child(feature)}' requires '${field.child(needs)}', which was disabled`));
}

/** A83, A84: evmcs (on unless disabled) needs vmx with the require policy. */
function evmcsCauses(spec: Spec, path: FieldPath): Cause[] {
  if (!isOn(spec.domain.features?.hyperv?.evmcs)) return [];
  const features = spec.domain.cpu?.features ?? [];
  const field = at(path, 'domain.cpu.features');
  if (features.length === 0) return [cause(CauseType.Required, field, `the vmx CPU feature is required in ${field} when evmcs is set`)];
  return features.flatMap((f, i) => (f.name === 'vmx' && f.policy !== 'require'
    ? [cause(CauseType.Invalid, field.index(i).child('policy'), `the vmx CPU feature has to use the require policy when evmcs is set, not ${JSON.stringify(f.policy ?? '')}`)]
    : []));
}

/** A81–A84 (VMI only). */
export const validateHyperv: SpecValidator = (spec, path, ctx) => {
  const features = spec.domain.features;
  if (ctx.origin !== 'VirtualMachineInstance' || features?.hyperv === undefined) return [];
  const field = at(path, 'domain.features.hyperv');
  const out = dependencyCauses(features.hyperv, field);
  if (features.hypervPassthrough !== undefined) {
    out.push(cause(CauseType.Invalid, field, `${field} cannot be set together with ${at(path, 'domain.features.hypervPassthrough')}: use either hyperv or hypervPassthrough`));
  }
  return [...out, ...evmcsCauses(spec, path)];
};

/** AX18: the Hyper-V vendor id is at most 12 characters, without "," or control characters. */
export const validateHypervVendorId: SpecValidator = (spec, path) => {
  const value = spec.domain.features?.hyperv?.vendorid?.vendorid;
  const field = at(path, 'domain.features.hyperv.vendorid.vendorid');
  const unsafe = xmlTextCauses(field, value);
  return unsafe.length > 0 ? unsafe : libvirtPatternCauses(field, value, VENDOR_ID, 'at most 12 characters and no ","');
};
