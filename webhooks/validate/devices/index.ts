/**
 * The devices rules of KubeVirt's VMI spec validation (rules-devices.md, B01–B95), in KubeVirt's
 * order, each KubeVirt area followed by kubevirt-ts' refusals of what its launcher cannot run in
 * that area (the "…Support" validators), so a VMI admission accepts never fails in the converter
 * or the volume planner. The VMI-only volume mapping (B29–B32) comes last, as in KubeVirt's
 * create admitter; it checks `ctx.origin` itself.
 *
 * Not registered here: {@link validateOtherDevices} (B89–B95, inputs, sound, ramfb, host devices,
 * video, watchdog). rules-compute.md lists the same KubeVirt checks as A50–A58 and A68, and the
 * compute validators register them (with AX08 for host devices); registering both would report
 * each of those causes twice, in two wordings, and a cause is reported once. The validator is kept
 * and tested so the devices area stays complete if the compute side drops them.
 * @see ../../../../shared/design/kubevirt/rules-devices.md
 */
import type { SpecValidator } from '../types.js';
import { validateAccessCredentials } from './access-credentials.js';
import { validateDiskVolumesAndBootOrder } from './boot-order.js';
import { validateDeviceSupport } from './device-support.js';
import { validateDiskSupport } from './disk-support.js';
import { validateDisks } from './disks.js';
import { validateInterfaceStates } from './interface-state.js';
import { validateInterfaceSupport } from './interface-support.js';
import { validateInterfaceFields } from './interfaces.js';
import { validateBindings, validateDiscontinuedBindings } from './network-bindings.js';
import { validateNetworkNames } from './network-names.js';
import { validateNetworks } from './networks.js';
import { validateVmiVolumeMapping } from './vmi-volume-mapping.js';
import { validateVolumeSupport } from './volume-support.js';
import { validateVolumes } from './volumes.js';

export { validateOtherDevices } from './other-devices.js';

/** Every devices validator, in order. */
export const DEVICE_VALIDATORS: readonly SpecValidator[] = [
  // Disks (B01–B21), disk↔volume mapping and boot order (B22–B28).
  validateDisks,
  validateDiskSupport,
  validateDiskVolumesAndBootOrder,
  // Volumes and cloud-init (B33–B54), then SSH keys carried by cloud-init.
  validateVolumes,
  validateVolumeSupport,
  validateAccessCredentials,
  // Networks and interfaces: discontinued bindings first (B55), then B56–B88.
  validateDiscontinuedBindings,
  validateNetworks,
  validateInterfaceStates,
  validateBindings,
  validateNetworkNames,
  validateInterfaceFields,
  validateInterfaceSupport,
  // Other devices (B89–B95 are the compute validators', see above).
  validateDeviceSupport,
  // VMI only.
  validateVmiVolumeMapping,
];
