/**
 * The compute rules of KubeVirt's VMI spec validation (shared/design/kubevirt/rules-compute.md,
 * ids A01–A84) and kubevirt-ts' own (AX01–AX34: what it does not support, and the values its
 * launcher must be able to write into the domain XML), in KubeVirt's order: the shared spec rules
 * first, then the VMI-only ones (mandatory memory, metadata, Hyper-V, per-architecture), which
 * check `ctx.origin` themselves.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go
 */
import type { SpecValidator } from '../types.js';
import { validateArchitectureSettings, validateArchitectureSupported } from './arch.js';
import { validateClock } from './clock.js';
import { validateDedicatedCpu } from './cpu-dedicated.js';
import { validateCpuModelAndTopology, validateCpuPlacementNeeds, validateRealtime } from './cpu.js';
import { validateInputs, validateOtherDevices } from './devices.js';
import { validateHyperv, validateHypervVendorId } from './features.js';
import { validateFirmware, validateFirmwareAcpi } from './firmware.js';
import { validateHostname } from './hostname.js';
import { validateIoThreads } from './iothreads.js';
import { validateLaunchSecurity } from './launch-security.js';
import { validateEvictionStrategy, validateRebootPolicy, validateStartStrategy } from './lifecycle.js';
import { validateMachineType } from './machine.js';
import { validateGuestMemoryLimit, validateGuestMemoryValue, validateHugepages, validateMemoryCeiling, validateMemoryHotplug, validateMemoryRequired } from './memory.js';
import { validateMetadata } from './metadata.js';
import { validateProbes } from './probes.js';
import { validateCpuResources, validateMemoryResources } from './resources.js';
import { validateUnsupported } from './unsupported.js';

/** Every compute validator, in order. */
export const COMPUTE_VALIDATORS: readonly SpecValidator[] = [
  validateUnsupported,
  validateHostname,
  validateMemoryResources,
  validateHugepages,
  validateGuestMemoryLimit,
  validateGuestMemoryValue,
  validateMemoryCeiling,
  validateMemoryHotplug,
  validateMachineType,
  validateFirmwareAcpi,
  validateCpuResources,
  validateDedicatedCpu,
  validateCpuPlacementNeeds,
  validateCpuModelAndTopology,
  validateStartStrategy,
  validateRealtime,
  validateArchitectureSupported,
  validateInputs,
  validateIoThreads,
  validateProbes,
  validateFirmware,
  validateClock,
  validateHypervVendorId,
  validateEvictionStrategy,
  validateOtherDevices,
  validateLaunchSecurity,
  validateRebootPolicy,
  // VMI only (each checks ctx.origin) or on the metadata.
  validateMemoryRequired,
  validateMetadata,
  validateHyperv,
  validateArchitectureSettings,
];
