/**
 * The device part of preference application: each preferred value fills a template field that is
 * left out and never overrides one that is set. Disks without a target become disks so the disk
 * preferences can apply; a masquerade preference binds pod-network interfaces that name no binding.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/apply/device.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/apply/disk.go
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/apply/interface.go
 */
import type {
  DevicePreferences, Devices, Disk, DiskTarget, Input, Interface, PanicDevice, VirtualMachineInstanceSpec,
} from '../../crd-gen/index.js';

type Prefs = Readonly<DevicePreferences>;

/** Preferred device switches and the template fields they fill when those are unset. */
const FLAGS: readonly (readonly [keyof DevicePreferences, keyof Devices])[] = [
  ['preferredUseVirtioTransitional', 'useVirtioTransitional'],
  ['preferredBlockMultiQueue', 'blockMultiQueue'],
  ['preferredNetworkInterfaceMultiQueue', 'networkInterfaceMultiqueue'],
  ['preferredDisableHotplug', 'disableHotplug'],
  ['preferredRng', 'rng'],
  ['preferredTPM', 'tpm'],
  ['preferredAutoattachGraphicsDevice', 'autoattachGraphicsDevice'],
  ['preferredAutoattachMemBalloon', 'autoattachMemBalloon'],
  ['preferredAutoattachPodInterface', 'autoattachPodInterface'],
  ['preferredAutoattachSerialConsole', 'autoattachSerialConsole'],
  ['preferredAutoattachInputDevice', 'autoattachInputDevice'],
];

function applyFlags(devices: Devices, prefs: Prefs): void {
  const out = devices as Record<string, unknown>;
  for (const [pref, field] of FLAGS) {
    if (prefs[pref] !== undefined && devices[field] === undefined) out[field] = structuredClone(prefs[pref]);
  }
}

/** `value` when `current` is empty and `value` is not. */
function fill<T extends string>(current: T | undefined, value: string | undefined): T | undefined {
  return (current ?? '') === '' && (value ?? '') !== '' ? (value as T) : current;
}

function applyDiskTarget(disk: Disk, target: DiskTarget, prefs: Prefs): void {
  target.bus = fill(target.bus, prefs.preferredDiskBus);
  if (prefs.preferredDiskBlockSize !== undefined && disk.blockSize === undefined) disk.blockSize = structuredClone(prefs.preferredDiskBlockSize);
  disk.cache = fill(disk.cache, prefs.preferredDiskCache);
  disk.io = fill(disk.io, prefs.preferredDiskIO);
  const dedicated = prefs.preferredDiskDedicatedIoThread;
  if (dedicated !== undefined && disk.dedicatedIOThread === undefined && target.bus === 'virtio') disk.dedicatedIOThread = dedicated;
}

function applyDisk(disk: Disk, prefs: Prefs): void {
  if (disk.disk === undefined && disk.cdrom === undefined && disk.lun === undefined) disk.disk = {};
  if (disk.disk !== undefined) applyDiskTarget(disk, disk.disk, prefs);
  else if (disk.cdrom !== undefined) disk.cdrom.bus = fill(disk.cdrom.bus, prefs.preferredCdromBus);
  else if (disk.lun !== undefined) disk.lun.bus = fill(disk.lun.bus, prefs.preferredLunBus);
}

/** Every binding an interface may name; none set means the preference's masquerade may apply. */
const BINDINGS: readonly (keyof Interface)[] = ['bridge', 'masquerade', 'sriov', 'slirp', 'macvtap', 'passt', 'passtBinding', 'binding'];

function onPodNetwork(spec: Readonly<VirtualMachineInstanceSpec>, name: string): boolean {
  return spec.networks?.find((n) => n.name === name)?.pod !== undefined;
}

function applyInterface(spec: Readonly<VirtualMachineInstanceSpec>, iface: Interface, prefs: Prefs): void {
  iface.model = fill(iface.model, prefs.preferredInterfaceModel);
  const unbound = BINDINGS.every((b) => iface[b] === undefined);
  if (prefs.preferredInterfaceMasquerade !== undefined && unbound && onPodNetwork(spec, iface.name)) iface.masquerade = structuredClone(prefs.preferredInterfaceMasquerade);
}

function applyInput(input: Input, prefs: Prefs): void {
  input.bus = fill(input.bus, prefs.preferredInputBus);
  input.type = fill(input.type, prefs.preferredInputType) ?? '';
}

function applyPanicDevices(devices: Devices, prefs: Prefs): void {
  const model = prefs.preferredPanicDeviceModel as PanicDevice['model'];
  if (model === undefined) return;
  const list = devices.panicDevices ?? [];
  devices.panicDevices = list.length === 0 ? [{ model }] : list.map((d) => (d.model === undefined ? { ...d, model } : d));
}

/** Fills the template's devices from the preference's `devices` block, in place on the working copy. */
export function applyDevicePreferences(spec: VirtualMachineInstanceSpec, prefs: Prefs | undefined): void {
  if (prefs === undefined) return;
  const devices = spec.domain.devices;
  applyFlags(devices, prefs);
  if (devices.sound !== undefined) devices.sound.model = fill(devices.sound.model, prefs.preferredSoundModel);
  for (const disk of devices.disks ?? []) applyDisk(disk, prefs);
  for (const iface of devices.interfaces ?? []) applyInterface(spec, iface, prefs);
  for (const input of devices.inputs ?? []) applyInput(input, prefs);
  applyPanicDevices(devices, prefs);
}
