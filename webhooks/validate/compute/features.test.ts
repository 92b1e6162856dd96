// Rules A81–A84 of shared/design/kubevirt/rules-compute.md (Hyper-V dependencies, VMI only) and
// kubevirt-ts' AX18 (a vendor id libvirt accepts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { CPU, FeatureHyperv, Features, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newRawVmi, newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecOrigin, SpecValidator } from '../types.js';
import { validateHyperv, validateHypervVendorId } from './features.js';

const ctx = (vmi: VirtualMachineInstance, origin: SpecOrigin = 'VirtualMachineInstance'): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance) => validate(vmi.spec, path('spec'), ctx(vmi));
const features = (f: Features, cpu?: CPU) => withDomain({ features: f, ...(cpu ? { cpu } : {}) });
const hyperv = (h: FeatureHyperv) => newVmi(features({ hyperv: h }));
const H = 'spec.domain.features.hyperv';

const DENIED = [
  { id: 'A81', what: 'synic with vpindex switched off', validate: validateHyperv, vmi: hyperv({ synic: {}, vpindex: { enabled: false } }), field: `${H}.synic`, type: CauseType.Invalid, names: `'${H}.synic' requires '${H}.vpindex'` },
  { id: 'A81', what: 'evmcs with vapic switched off', validate: validateHyperv, vmi: hyperv({ evmcs: { enabled: true }, vapic: { enabled: false } }), field: `${H}.evmcs`, type: CauseType.Invalid, names: `'${H}.vapic'` },
  { id: 'A81', what: 'synictimer with synic switched off', validate: validateHyperv, vmi: hyperv({ synictimer: { enabled: true }, synic: { enabled: false }, vpindex: {} }), field: `${H}.synictimer`, type: CauseType.Invalid, names: `'${H}.synic'` },
  { id: 'A82', what: 'hyperv together with hypervPassthrough', validate: validateHyperv, vmi: newVmi(features({ hyperv: { relaxed: {} }, hypervPassthrough: { enabled: true } })), field: H, type: CauseType.Invalid, names: 'spec.domain.features.hypervPassthrough' },
  { id: 'A83', what: 'evmcs without CPU features (as written, before the mutator adds vmx)', validate: validateHyperv, vmi: newRawVmi(features({ hyperv: { evmcs: {} } })), field: 'spec.domain.cpu.features', type: CauseType.Required, names: 'vmx' },
  { id: 'A84', what: 'evmcs with vmx optional (as written)', validate: validateHyperv, vmi: newRawVmi(features({ hyperv: { evmcs: {}, vapic: { enabled: true } } }, { features: [{ name: 'pcid' }, { name: 'vmx', policy: 'optional' }] })), field: 'spec.domain.cpu.features[1].policy', type: CauseType.Invalid, names: '"optional"' },
  { id: 'AX18', what: 'a vendor id longer than 12 characters', validate: validateHypervVendorId, vmi: hyperv({ vendorid: { vendorid: 'averylongvendor' } }), field: `${H}.vendorid.vendorid`, type: CauseType.Invalid, names: '"averylongvendor"' },
  { id: 'AX18', what: 'a vendor id with a comma', validate: validateHypervVendorId, vmi: hyperv({ vendorid: { vendorid: 'a,b' } }), field: `${H}.vendorid.vendorid`, type: CauseType.Invalid, names: '"a,b"' },
  { id: 'AX18', what: 'a vendor id with a control character', validate: validateHypervVendorId, vmi: hyperv({ vendorid: { vendorid: 'kvm\u0000' } }), field: `${H}.vendorid.vendorid`, type: CauseType.Invalid, names: 'U+0000' },
];

const ADMITTED = [
  { id: 'A81', what: 'synic, ipi, tlbflush and synictimer with their prerequisites left to the mutator', validate: validateHyperv, vmi: hyperv({ synic: {}, ipi: {}, tlbflush: {}, synictimer: { direct: {} } }) },
  { id: 'A81', what: 'a switched-off feature whose prerequisite is off too', validate: validateHyperv, vmi: hyperv({ synic: { enabled: false }, vpindex: { enabled: false } }) },
  { id: 'A82', what: 'hypervPassthrough alone', validate: validateHyperv, vmi: newVmi(features({ hypervPassthrough: { enabled: true } })) },
  { id: 'A83', what: 'evmcs after the mutator added vmx with require', validate: validateHyperv, vmi: hyperv({ evmcs: {} }) },
  { id: 'A84', what: 'evmcs switched off', validate: validateHyperv, vmi: newRawVmi(features({ hyperv: { evmcs: { enabled: false } } }, { features: [{ name: 'vmx', policy: 'disable' }] })) },
  { id: 'AX18', what: 'a 12-character vendor id', validate: validateHypervVendorId, vmi: hyperv({ vendorid: { vendorid: 'KVMKVMKVMKVM' } }) },
];

describe('Hyper-V', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, type, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });

  it('A81–A84 run for VMIs only (KubeVirt checks them in the VMI create admitter)', () => {
    const vmi = hyperv({ synic: {}, vpindex: { enabled: false } });
    expect(validateHyperv(vmi.spec, path('spec', 'template', 'spec'), ctx(vmi, 'template'))).toEqual([]);
  });
});
