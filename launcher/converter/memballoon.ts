/**
 * The memory balloon: virtio with statistics every `memBalloonStatsPeriod` seconds and free page
 * reporting where the cluster allows it and nothing in the VMI rules it out (dedicated CPUs,
 * realtime, hugepages, or the opt-out annotation); `model="none"` when autoattach is off.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/balloon.go
 */
import { Annotations, type VirtualMachineInstance } from '../../crd-gen/index.js';
import type { MemBalloon } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { onOff, virtioModel } from './values.js';


function vmiAllowsFreePageReporting(vmi: Readonly<VirtualMachineInstance>): boolean {
  const domain = vmi.spec.domain;
  const excluded = domain.cpu?.dedicatedCpuPlacement === true || domain.cpu?.realtime !== undefined || domain.memory?.hugepages !== undefined;
  return !excluded && vmi.metadata.annotations?.[Annotations.freePageReportingDisabled] !== 'true';
}

/** Sets `<memballoon>`. */
export const configureMemBalloon: Configurator = (vmi, ctx, domain) => {
  const devices = vmi.spec.domain.devices;
  if (devices.autoattachMemBalloon === false) return { ...domain, devices: { ...domain.devices, memballoon: { model: 'none' } } };
  const memballoon: MemBalloon = { model: virtioModel(devices.useVirtioTransitional), freePageReporting: onOff(ctx.freePageReporting && vmiAllowsFreePageReporting(vmi)) };
  if (ctx.memBalloonStatsPeriod > 0) memballoon.stats = { period: ctx.memBalloonStatsPeriod };
  return { ...domain, devices: { ...domain.devices, memballoon } };
};
