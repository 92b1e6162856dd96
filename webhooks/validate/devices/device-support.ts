/**
 * Devices KubeVirt accepts but kubevirt-ts' converter refuses, refused here so admission never
 * admits a VMI the launcher cannot start: GPUs, virtiofs filesystems, sound,
 * USB redirection and the downward metrics device; device names libvirt cannot hold in the user
 * alias `ua-<name>` (inputs, watchdog); and watchdog actions libvirt does not know. Host devices,
 * VSOCK, panic devices and video types are the compute validators' (AX08–AX10, A67).
 * @see ../../../launcher/converter/unsupported.ts, inputs.ts, watchdog.ts
 */
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { aliasNameCause, devicesOf, devicesPath, isSet, listOf, notSupported, quote } from './common.js';
import type { Devices } from '../../../crd-gen/index.js';

type DevicesView = Readonly<Devices>;

/** libvirt's watchdog actions. */
const WATCHDOG_ACTIONS = ['reset', 'shutdown', 'poweroff', 'pause', 'none', 'dump', 'inject-nmi'];

const count = (list: readonly unknown[] | undefined): number => list?.length ?? 0;

/** `[field under devices, is it used, what it is]`, in the converter's order. */
const UNSUPPORTED: readonly (readonly [keyof Devices, (d: DevicesView) => boolean, string])[] = [
  ['gpus', (d) => count(d.gpus) > 0, 'GPU passthrough'],
  ['filesystems', (d) => count(d.filesystems) > 0, 'virtiofs filesystems'],
  ['sound', (d) => d.sound !== undefined, 'a sound device'],
  ['clientPassthrough', (d) => d.clientPassthrough !== undefined, 'USB redirection (clientPassthrough)'],
  ['downwardMetrics', (d) => d.downwardMetrics !== undefined, 'the downward metrics device'],
];

/** Refuses devices the kubevirt-ts launcher cannot build. */
export const validateDeviceSupport: SpecValidator = (spec, path) => {
  const devices = devicesOf(spec);
  const base = devicesPath(path);
  const out: Cause[] = UNSUPPORTED.filter(([, used]) => used(devices)).map(([key, , what]) => notSupported(base.child(key), what));
  (devices.inputs ?? []).forEach((input, i) => {
    const refused = aliasNameCause(base.child('inputs').index(i).child('name'), input.name);
    if (refused !== undefined) out.push(refused);
  });
  const watchdog = devices.watchdog;
  if (watchdog === undefined) return out;
  const refused = aliasNameCause(base.child('watchdog').child('name'), watchdog.name);
  if (refused !== undefined) out.push(refused);
  const action = watchdog.i6300esb?.action;
  if (isSet(action) && !WATCHDOG_ACTIONS.includes(action)) {
    out.push(notSupported(base.child('watchdog').child('i6300esb').child('action'), `the watchdog action ${quote(action)}`, `use one of ${listOf(WATCHDOG_ACTIONS)}`));
  }
  return out;
};
