/**
 * The non-disk, non-NIC devices of rules-compute.md: input bus and type (A50, A51), at most one
 * vGPU ramfb display (A52), the sound card's model and name (A54, A55), video only with a graphics
 * device (A58), and panic devices' architecture and models (A60, A61). Quirk paths (`spec.GPUs`,
 * `spec.Sound`, `spec.video`) are reported on the real fields.
 *
 * Gates: kubevirt-ts implements the video configuration, so it is accepted without KubeVirt's
 * VideoConfig gate (A57); host devices, VSOCK and panic devices (A53, A56, A59) are refused as not
 * supported by kubevirt-ts in unsupported.ts instead of naming their gates.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateInputDevices, validateMDEVRamFB, validateSoundDevices, validateVideoConfig, validatePanicDevices)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { GPU } from '../../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { archOf, at, type Spec } from './common.js';

const INPUT_BUSES: readonly string[] = ['', 'virtio', 'usb'];
const SOUND_MODELS: readonly string[] = ['', 'ich9', 'ac97'];
const PANIC_MODELS: readonly string[] = ['hyperv', 'isa', 'pvpanic'];

/** A50, A51. */
function inputCauses(spec: Spec, path: FieldPath): Cause[] {
  return (spec.domain.devices.inputs ?? []).flatMap((input, i) => {
    const item = at(path, 'domain.devices.inputs').index(i);
    const out: Cause[] = [];
    const bus = input.bus as string | undefined;
    if (!INPUT_BUSES.includes(bus ?? '')) out.push(cause(CauseType.Invalid, item.child('bus'), `${item.child('bus')} ${JSON.stringify(bus)}: an input device can have only the virtio or usb bus`));
    if ((input.type as string) !== 'tablet') out.push(cause(CauseType.Invalid, item.child('type'), `${item.child('type')} ${JSON.stringify(input.type)}: an input device can only be of type tablet`));
    return out;
  });
}

/** Whether a GPU drives a ramfb display: display on (unset counts) and ramFB unset or explicitly on. */
function ramfbDisplay(gpu: GPU): boolean {
  const display = gpu.virtualGPUOptions?.display;
  if (display === undefined || display.enabled === false) return false;
  return display.ramFB === undefined || display.ramFB.enabled === true;
}

/** A52. */
function ramfbCauses(spec: Spec, path: FieldPath): Cause[] {
  const names = (spec.domain.devices.gpus ?? []).filter(ramfbDisplay).map((g) => g.name);
  if (names.length <= 1) return [];
  const field = at(path, 'domain.devices.gpus');
  return [cause(CauseType.Invalid, field, `${field}: configuring multiple displays with ramfb is not valid (${names.map((n) => JSON.stringify(n)).join(', ')})`)];
}

/** A54, A55. */
function soundCauses(spec: Spec, path: FieldPath): Cause[] {
  const sound = spec.domain.devices.sound;
  if (sound === undefined) return [];
  const field = at(path, 'domain.devices.sound');
  const out: Cause[] = [];
  if (!SOUND_MODELS.includes(sound.model ?? '')) out.push(cause(CauseType.Invalid, field.child('model'), `${field.child('model')} ${JSON.stringify(sound.model)}: the sound device type is not supported; use ich9 or ac97`));
  if (!sound.name) out.push(cause(CauseType.Invalid, field.child('name'), `${field.child('name')} ${JSON.stringify(sound.name ?? '')}: a sound device requires a name`));
  return out;
}

/** A58 (A57's gate is not needed: kubevirt-ts implements video). */
function videoCauses(spec: Spec, path: FieldPath): Cause[] {
  const devices = spec.domain.devices;
  if (devices.video === undefined || devices.autoattachGraphicsDevice !== false) return [];
  const field = at(path, 'domain.devices.video');
  return [cause(CauseType.Invalid, field, `${field} is not allowed when ${at(path, 'domain.devices.autoattachGraphicsDevice')} is set to false`)];
}

/** A60, A61 (A59's gate is replaced by the not-supported refusal). */
function panicCauses(spec: Spec, path: FieldPath, arch: string): Cause[] {
  const devices = spec.domain.devices.panicDevices ?? [];
  if (devices.length === 0) return [];
  const field = at(path, 'domain.devices.panicDevices');
  const out: Cause[] = [];
  if (arch === 's390x') out.push(cause(CauseType.Invalid, field, `${field}: custom panic devices are not supported on the ${arch} architecture`));
  devices.forEach((d, i) => {
    const model = d.model as string | undefined;
    if (model !== undefined && !PANIC_MODELS.includes(model)) out.push(cause(CauseType.Invalid, field.index(i).child('model'), `${field.index(i).child('model')}: invalid panic device model ${JSON.stringify(model)}; use hyperv, isa or pvpanic`));
  });
  return out;
}

/** A50, A51: input devices (KubeVirt checks them before the probes). */
export const validateInputs: SpecValidator = (spec, path) => inputCauses(spec, path);

/** A52, A54, A55, A58, A60, A61. */
export const validateOtherDevices: SpecValidator = (spec, path, ctx) => [
  ...ramfbCauses(spec, path),
  ...soundCauses(spec, path),
  ...videoCauses(spec, path),
  ...panicCauses(spec, path, archOf(spec, ctx.cfg)),
];
