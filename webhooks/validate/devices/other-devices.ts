/**
 * KubeVirt's rules for the other devices (B89–B95): tablet inputs on virtio or usb, the sound
 * card, one ramfb display at most, host devices, video, and the amd64 watchdog. KubeVirt reports
 * several on malformed paths (`spec.Sound`, `spec.GPUs`, `spec.HostDevices`, `spec.video`); we
 * report the real fields under `domain.devices`.
 *
 * Gates: host devices (B93) are not implemented by kubevirt-ts, so they are refused as not
 * supported whatever the gates; video (B94's gate) is implemented, so it needs no VideoConfig gate.
 *
 * These are the same KubeVirt checks as rules-compute.md's A50–A58 and A68, which the compute
 * validators already register; see index.ts for why this file's validator is not registered too.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { GPU } from '../../../crd-gen/index.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { devicesOf, devicesPath, invalid, isOn, isSet, listOf, notSupported, quote, type Spec } from './common.js';

const INPUT_BUSES = ['virtio', 'usb'];
const SOUND_MODELS = ['ich9', 'ac97'];

/** B89, B90. */
function inputs(spec: Spec, base: FieldPath): Cause[] {
  return (devicesOf(spec).inputs ?? []).flatMap((input, i) => {
    const at = base.child('inputs').index(i);
    const out: Cause[] = [];
    const bus = input.bus as string | undefined;
    if (isSet(bus) && !INPUT_BUSES.includes(bus)) out.push(invalid(at.child('bus'), `${at}.bus ${quote(bus)} is invalid; an input device bus must be virtio or usb`));
    if ((input.type as string | undefined) !== 'tablet') out.push(invalid(at.child('type'), `${at}.type ${quote(input.type ?? '')} is invalid; an input device must be of type tablet`));
    return out;
  });
}

/** B91: model and name, both on the sound device. */
function sound(spec: Spec, base: FieldPath): Cause[] {
  const device = devicesOf(spec).sound;
  if (device === undefined) return [];
  const at = base.child('sound');
  const out: Cause[] = [];
  const model = device.model as string | undefined;
  if (isSet(model) && !SOUND_MODELS.includes(model)) out.push(invalid(at, `${at}.model ${quote(model)} is not a supported sound device type; use ${listOf(SOUND_MODELS)}`));
  if (!isSet(device.name)) out.push(invalid(at, `${at}.name ${quote(device.name ?? '')}: a sound device needs a name`));
  return out;
}

/** A GPU whose display is on and whose ramfb is unset or on. */
function hasRamfbDisplay(gpu: Readonly<GPU>): boolean {
  const display = gpu.virtualGPUOptions?.display;
  return isOn(display) && (display?.ramFB === undefined || display.ramFB.enabled === true);
}

/** B92. */
function ramfb(spec: Spec, base: FieldPath): Cause[] {
  const names = (devicesOf(spec).gpus ?? []).filter(hasRamfbDisplay).map((g) => quote(g.name));
  if (names.length < 2) return [];
  const at = base.child('gpus');
  return [invalid(at, `${at} turns on a ramfb display for ${names.length} GPUs (${listOf(names)}); only one ramfb display is allowed`)];
}

/** B93 (as a refusal), B94 (its second half; the gate half is implemented). */
function hostDevicesAndVideo(spec: Spec, base: FieldPath): Cause[] {
  const devices = devicesOf(spec);
  const out: Cause[] = [];
  if ((devices.hostDevices?.length ?? 0) > 0) out.push(notSupported(base.child('hostDevices'), `host device passthrough (${listOf((devices.hostDevices ?? []).map((h) => quote(h.name)))})`));
  if (devices.video !== undefined && devices.autoattachGraphicsDevice === false) {
    const at = base.child('video');
    out.push(invalid(at, `${at} (type ${quote(devices.video.type ?? '')}) is not allowed when autoattachGraphicsDevice is false`));
  }
  return out;
}

/** B95: on amd64, only the i6300esb watchdog. */
function watchdog(spec: Spec, base: FieldPath, defaultArch: string): Cause[] {
  const device = devicesOf(spec).watchdog;
  const arch = isSet(spec.architecture) ? spec.architecture : defaultArch;
  if (device === undefined || arch !== 'amd64' || (device.i6300esb !== undefined && device.diag288 === undefined)) return [];
  const at = base.child('watchdog');
  return [cause(CauseType.NotSupported, at, `${at} ${quote(device.name)}: amd64 only supports the i6300esb watchdog device`)];
}

/**
 * B89–B95.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Other devices)
 */
export const validateOtherDevices: SpecValidator = (spec, path, ctx) => {
  const base = devicesPath(path);
  return [...inputs(spec, base), ...sound(spec, base), ...ramfb(spec, base), ...hostDevicesAndVideo(spec, base), ...watchdog(spec, base, ctx.cfg.defaultArchitecture)];
};
