/**
 * Per-architecture rules, on `spec.architecture` as written (the mutator normally fills it):
 * KubeVirt's own, which its VMI create admitter runs for VMIs only (A66 known architectures, A67
 * video models, A68 watchdogs, A69–A72 arm64 limits), and kubevirt-ts' one for every spec: its
 * launcher builds x86_64 guests only, so any other architecture is refused as not supported
 * (AX11) rather than silently run as x86_64.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (ValidateVirtualMachineInstancePerArch)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/amd64.go, arm64.go, s390x.go
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Watchdog } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, notSupported, type Spec } from './common.js';

const KNOWN: readonly string[] = ['amd64', 'arm64', 's390x'];

/** Video models per architecture (A67). */
const VIDEO_TYPES: Readonly<Record<string, readonly string[]>> = {
  amd64: ['vga', 'cirrus', 'virtio', 'ramfb', 'bochs'],
  arm64: ['virtio', 'ramfb'],
  s390x: ['virtio'],
};

/** Which watchdog a guest of the architecture may have (A68), and the words for the message. */
const WATCHDOGS: Readonly<Record<string, readonly [(w: Watchdog) => boolean, string]>> = {
  amd64: [(w) => w.i6300esb !== undefined && w.diag288 === undefined, 'amd64 only supports the i6300esb watchdog device'],
  s390x: [(w) => w.diag288 !== undefined && w.i6300esb === undefined, 's390x only supports the diag288 watchdog device'],
  arm64: [() => false, 'arm64 does not support watchdog devices'],
};

/** A67, A68. */
function deviceCauses(spec: Spec, path: FieldPath, arch: string): Cause[] {
  const devices = spec.domain.devices;
  const out: Cause[] = [];
  const types = VIDEO_TYPES[arch] ?? [];
  if (devices.video !== undefined && !types.includes(devices.video.type ?? '')) {
    const field = at(path, 'domain.devices.video.type');
    out.push(cause(CauseType.NotSupported, field, `video model ${JSON.stringify(devices.video.type ?? '')} is not supported on the ${arch} architecture; use ${types.join(', ')}`));
  }
  const watchdog = WATCHDOGS[arch];
  if (devices.watchdog !== undefined && watchdog !== undefined && !watchdog[0](devices.watchdog)) {
    out.push(cause(CauseType.NotSupported, at(path, 'domain.devices.watchdog'), `${at(path, 'domain.devices.watchdog')} ${JSON.stringify(devices.watchdog.name)}: ${watchdog[1]}`));
  }
  return out;
}

type Arm64Check = (spec: Spec, path: FieldPath) => Cause[];

const notOnArm64 = (field: FieldPath, message: string): Cause[] => [cause(CauseType.NotSupported, field, `${field} ${message}`)];

/** A69–A72, one check each. */
const ARM64_CHECKS: readonly Arm64Check[] = [
  (spec, path) => (spec.domain.firmware?.bootloader?.bios === undefined ? [] : notOnArm64(at(path, 'domain.firmware.bootloader.bios'), 'is set: arm64 does not support BIOS; use UEFI')),
  (spec, path) => {
    const efi = spec.domain.firmware?.bootloader?.efi;
    if (efi === undefined || efi.secureBoot === false) return [];
    return notOnArm64(at(path, 'domain.firmware.bootloader.efi.secureBoot'), `${efi.secureBoot ?? 'unset (on)'}: UEFI secure boot is not supported on arm64`);
  },
  (spec, path) => {
    const model = spec.domain.cpu?.model;
    return !model || model === 'host-passthrough' ? [] : notOnArm64(at(path, 'domain.cpu.model'), `${JSON.stringify(model)}: arm64 supports only host-passthrough`);
  },
  (spec, path) => {
    const sound = spec.domain.devices.sound;
    return sound === undefined ? [] : notOnArm64(at(path, 'domain.devices.sound'), `${JSON.stringify(sound.name)}: arm64 does not support sound devices`);
  },
];

function arm64Causes(spec: Spec, path: FieldPath): Cause[] {
  return ARM64_CHECKS.flatMap((check) => check(spec, path));
}

/** A66–A72 (VMI only). */
export const validateArchitectureSettings: SpecValidator = (spec, path, ctx) => {
  if (ctx.origin !== 'VirtualMachineInstance') return [];
  const arch = spec.architecture ?? '';
  const field = path.child('architecture');
  if (!KNOWN.includes(arch)) return [cause(CauseType.Invalid, field, `${field}: unsupported architecture: ${JSON.stringify(arch)}`)];
  return [...deviceCauses(spec, path, arch), ...(arch === 'arm64' ? arm64Causes(spec, path) : [])];
};

/**
 * AX11: only amd64 guests. For a VMI, an architecture KubeVirt does not know at all is A66's to
 * report, so it is not reported twice.
 */
export const validateArchitectureSupported: SpecValidator = (spec, path, ctx) => {
  const arch = spec.architecture;
  if (!arch || arch === 'amd64') return [];
  if (ctx.origin === 'VirtualMachineInstance' && !KNOWN.includes(arch)) return [];
  return [notSupported(path.child('architecture'), `the ${JSON.stringify(arch)} architecture`, 'its launcher runs amd64 (x86_64) guests only')];
};
