/**
 * I/O threads for virtio disks (`ioThreadsPolicy` shared/auto, `dedicatedIOThread`): the pool size
 * `<iothreads>`, each virtio disk's `driver iothread`, and the SCSI controller's thread when a SCSI
 * disk asks for a dedicated one. Runs after disks and controllers.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go (setIOThreads, getIOThreadsCountType)
 */
import { ConversionError } from '../../core/errors.js';
import { quantityInt } from '../../core/quantity.js';
import type { Disk as VmiDisk, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Controller, Disk } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { requestedVcpus } from './cpu-topology.js';

type Vmi = Readonly<VirtualMachineInstance>;

const dedicated = (d: VmiDisk): boolean => d.dedicatedIOThread === true;

function usesIoThreads(vmi: Vmi): boolean {
  return vmi.spec.domain.ioThreadsPolicy !== undefined || (vmi.spec.domain.devices.disks ?? []).some(dedicated);
}

/** The CPUs the auto policy sizes its pool from: the CPU request, else the limit, else 1. */
function cpusForAuto(vmi: Vmi): number {
  const resources = vmi.spec.domain.resources;
  const request = resources?.requests?.['cpu'];
  const limit = resources?.limits?.['cpu'];
  return quantityInt(request ?? limit) ?? 1;
}

/** How many threads the pool shares (auto) and the total with the dedicated ones. */
export function ioThreadCounts(vmi: Vmi): { readonly shared: number; readonly total: number } {
  const disks = vmi.spec.domain.devices.disks ?? [];
  const limit = vmi.spec.domain.ioThreadsPolicy === 'auto' ? cpusForAuto(vmi) * 2 : 1;
  const own = disks.filter(dedicated).length;
  let shared = disks.length - own;
  if (shared + own > limit) shared = Math.max(1, limit - own);
  return { shared, total: shared + own };
}

/** Thread ids per disk: dedicated disks after the shared pool, the others round-robin over it. */
function assign(vmi: Vmi, disks: readonly Disk[], shared: number): { readonly disks: Disk[]; readonly next: number } {
  const specs = vmi.spec.domain.devices.disks ?? [];
  let nextShared = 1;
  let nextOwn = shared + 1;
  const out = disks.map((disk, i) => {
    if (disk.target.bus !== 'virtio' || disk.driver === undefined) return disk;
    let iothread: number;
    if (specs[i]?.dedicatedIOThread === true) iothread = nextOwn++;
    else {
      iothread = nextShared;
      nextShared = (nextShared % shared) + 1;
    }
    return { ...disk, driver: { ...disk.driver, iothread } };
  });
  return { disks: out, next: nextShared };
}

function scsiWithThread(vmi: Vmi, controllers: readonly Controller[], iothread: number): Controller[] {
  const specs = vmi.spec.domain.devices.disks ?? [];
  const wants = specs.some((d) => dedicated(d) && (d.disk?.bus ?? d.lun?.bus) === 'scsi');
  if (!wants) return [...controllers];
  return controllers.map((c) => (c.type === 'scsi' ? { ...c, driver: { ...c.driver, iothread, queues: requestedVcpus(vmi) } } : c));
}

/** Sets `<iothreads>` and the disks' (and SCSI controller's) thread ids. */
export const configureIoThreads: Configurator = (vmi, _ctx, domain) => {
  if (!usesIoThreads(vmi)) return domain;
  if (vmi.spec.domain.ioThreadsPolicy === 'supplementalPool') {
    throw new ConversionError('spec.domain.ioThreadsPolicy', 'supplementalPool is not supported: the libvirt we target (9.0) cannot map disk queues to a thread pool');
  }
  const { shared, total } = ioThreadCounts(vmi);
  const { disks, next } = assign(vmi, domain.devices.disks, shared);
  return { ...domain, devices: { ...domain.devices, disks, controllers: scsiWithThread(vmi, domain.devices.controllers, next) }, iothreads: total };
};
