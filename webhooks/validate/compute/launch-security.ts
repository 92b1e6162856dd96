/**
 * KubeVirt's launch security (SEV, SNP, TDX) rules: an architecture that has it (A64), exactly one
 * type on amd64 (A74), and what each type needs (A76–A80). All are reported on the real field
 * `domain.launchSecurity` (KubeVirt says `spec.launchSecurity`). kubevirt-ts refuses launch
 * security itself as not supported (AX04, unsupported.ts), which takes the place of KubeVirt's
 * feature-gate causes (A73 SecureExecution, A75 WorkloadEncryptionSEV/TDX); the rules below run
 * as KubeVirt runs them with those gates on, so the answer still says everything that is wrong.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/amd64.go (ValidateLaunchSecurityAmd64)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { LaunchSecurity } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, isOn, secureBootOn, type Spec } from './common.js';

const TYPES = [['sev', 'SEV'], ['snp', 'SNP'], ['tdx', 'TDX']] as const;

function selected(ls: LaunchSecurity): string[] {
  return TYPES.filter(([key]) => ls[key] !== undefined).map(([, name]) => name);
}

/** One of A76–A80: the messages it finds wrong for the selected type. */
type TypeCheck = (spec: Spec, type: string) => string[];

const TYPE_CHECKS: readonly TypeCheck[] = [
  // A76
  (spec, type) => (type === 'TDX' && isOn(spec.domain.features?.smm) ? ['TDX does not work along with SMM'] : []),
  // A77
  (spec, type) => (spec.domain.firmware?.bootloader?.efi === undefined ? [`${type} requires OVMF (UEFI)`] : []),
  // A78
  (spec, type) => (type !== 'TDX' && secureBootOn(spec) ? [`${type} does not work along with SecureBoot`] : []),
  (spec, type) => (type !== 'SEV' && spec.domain.firmware?.bootloader?.efi?.persistent === true ? [`${type} does not work along with persistent EFI variables`] : []),
  // A79
  (spec) => (spec.domain.launchSecurity?.sev?.attestation !== undefined && spec.startStrategy !== 'Paused' ? ['SEV attestation requires the VMI start strategy "Paused"'] : []),
  // A80
  (spec, type) => (spec.domain.devices.interfaces ?? []).filter((i) => i.bootOrder !== undefined).map((i) => `${type} does not work with bootable NICs: ${JSON.stringify(i.name)}`),
];

/** A76–A80 for the one selected type on amd64. */
function amd64Causes(spec: Spec, type: string, field: FieldPath): Cause[] {
  return TYPE_CHECKS.flatMap((check) => check(spec, type)).map((message) => cause(CauseType.Invalid, field, `${field}: ${message}`));
}

/** A64, A74, A76–A80. */
export const validateLaunchSecurity: SpecValidator = (spec, path) => {
  const ls = spec.domain.launchSecurity;
  if (ls === undefined) return [];
  const field = at(path, 'domain.launchSecurity');
  const arch = spec.architecture ?? '';
  if (arch !== 'amd64' && arch !== 's390x') {
    const archField = path.child('architecture');
    return [cause(CauseType.Invalid, archField, `${archField} ${JSON.stringify(arch)} does not support ${field}; only amd64 and s390x do`)];
  }
  if (arch !== 'amd64') return [];
  const types = selected(ls);
  const [type] = types;
  if (types.length !== 1 || type === undefined) {
    return [cause(CauseType.Forbidden, field, `${field}: one and only one launch security type can be set (sev, snp or tdx), got ${types.length === 0 ? 'none' : types.join(', ')}`)];
  }
  return amd64Causes(spec, type, field);
};
