/**
 * VMI → libvirt domain, as KubeVirt v1.8's converter maps it: a fixed, ordered list of
 * configurators, one area each, folded over an empty domain. Pure: the same VMI and host facts
 * always give the same domain, and neither input is changed. The VMI must be admitted (defaulted);
 * a field admission should have set or refused surfaces as a ConversionError naming it.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go
 * @see ../../../shared/design/kubevirt/converter.md
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainSpec } from '../domain/schema.js';
import { configureChannels } from './channels.js';
import { configureClock } from './clock.js';
import { emptyDomain, type Configurator } from './configurator.js';
import { configureConsoles } from './consoles.js';
import type { ConverterContext } from './context.js';
import { configureControllers } from './controllers.js';
import { configureCpu } from './cpu.js';
import { configureDisks } from './disks.js';
import { configureDomainType } from './domain-type.js';
import { configureFeatures } from './features.js';
import { configureGraphics } from './graphics.js';
import { configureInputs } from './inputs.js';
import { configureInterfaces } from './interfaces.js';
import { configureIoThreads } from './iothreads.js';
import { configureMemBalloon } from './memballoon.js';
import { configureMemory } from './memory.js';
import { configureMetadata } from './metadata.js';
import { configureOs } from './os.js';
import { configureRebootPolicy } from './reboot-policy.js';
import { configureRng } from './rng.js';
import { configureSysinfo } from './sysinfo.js';
import { configureTpm } from './tpm.js';
import { refuseUnsupported } from './unsupported.js';
import { configureWatchdog } from './watchdog.js';

export type { Configurator } from './configurator.js';
export type { ConverterContext, VolumeSource } from './context.js';

/**
 * The configurators in the order they run. Order matters only for dependencies: cpu after memory
 * (the memfd NUMA cell), I/O threads after disks and controllers. Where elements land in the XML
 * is fixed by the codec, not by this order.
 */
export const CONFIGURATORS: readonly Configurator[] = [
  refuseUnsupported,
  configureMetadata,
  configureDomainType,
  configureMemory,
  configureCpu,
  configureClock,
  configureOs,
  configureSysinfo,
  configureFeatures,
  configureRebootPolicy,
  configureDisks,
  configureControllers,
  configureIoThreads,
  configureInterfaces,
  configureConsoles,
  configureGraphics,
  configureInputs,
  configureRng,
  configureTpm,
  configureMemBalloon,
  configureChannels,
  configureWatchdog,
];

/** The libvirt domain for an admitted VMI on the host `ctx` describes. */
export function convertVmiToDomain(vmi: Readonly<VirtualMachineInstance>, ctx: ConverterContext): DomainSpec {
  return CONFIGURATORS.reduce((domain, configure) => configure(vmi, ctx, domain), emptyDomain());
}
