/**
 * The spec changes KubeVirt's own components may make to a running VMI (the hotplug path,
 * C52–C54): the CPU socket ceiling and the memory ceiling stay, permanent volumes and their disks
 * stay, existing hotplugged volumes stay, new hotplugged volumes are PVCs, DataVolumes or memory
 * dumps on scsi disks, and the result still passes the VMI spec rules. The first failure is
 * returned; KubeVirt gives these causes no field.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-update-admitter.go
 */
import { isDeepStrictEqual } from 'node:util';
import { path } from '../../core/field-path.js';
import { parseQuantity } from '../../core/quantity.js';
import type { Disk, VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext } from '../context.js';
import { validateVmiSpec } from './vmi-spec.js';

type Vmi = Readonly<VirtualMachineInstance>;
type Volumes = ReadonlyMap<string, Volume>;
type Disks = ReadonlyMap<string, Disk>;

const invalid = (message: string): Cause => cause(CauseType.Invalid, '', message);

/** C52: `cpu.maxSockets` may not change. */
function cpuProblem(vmi: Vmi, old: Vmi): string | undefined {
  const [now, before] = [vmi.spec.domain.cpu?.maxSockets ?? 0, old.spec.domain.cpu?.maxSockets ?? 0];
  return now === before ? undefined : `CPU topology maxSockets changed from ${before} to ${now}`;
}

/** C53: a set `memory.maxGuest` may not change to another set value. */
function memoryProblem(vmi: Vmi, old: Vmi): string | undefined {
  const [now, before] = [vmi.spec.domain.memory?.maxGuest, old.spec.domain.memory?.maxGuest];
  if (now === undefined || before === undefined || parseQuantity(now) === parseQuantity(before)) return undefined;
  return `Memory maxGuest changed from ${before} to ${now}`;
}

function byName<T extends { name: string }>(list: readonly T[] | undefined, keep: (item: T) => boolean = () => true): Map<string, T> {
  return new Map((list ?? []).filter(keep).map((item) => [item.name, item]));
}

/** The volumes the old status shows as attached at start (no hotplug status). */
function permanentNames(old: Vmi): Set<string> {
  return new Set((old.status?.volumeStatus ?? []).filter((s) => s.hotplugVolume === undefined).map((s) => s.name));
}

function permanentProblem(now: Volumes, before: Volumes, disks: { now: Disks; before: Disks }): string | undefined {
  if (now.size !== before.size) return 'the number of permanent volumes has changed';
  for (const [name, volume] of now) {
    if (!before.has(name)) return `permanent volume ${name} was not found`;
    if (!isDeepStrictEqual(volume, before.get(name))) return `permanent volume ${name} changed`;
    if (!isDeepStrictEqual(disks.now.get(name), disks.before.get(name))) return `permanent disk ${name} changed`;
  }
  return undefined;
}

const isClaim = (v: Volume): boolean => v.dataVolume !== undefined || v.persistentVolumeClaim !== undefined;
const onScsi = (disk: Disk): boolean => disk.disk?.bus === 'scsi' || disk.lun?.bus === 'scsi';

function newHotplugDiskProblem(name: string, disk: Disk | undefined): string | undefined {
  if (disk === undefined) return `disk ${name} does not exist`;
  if (disk.disk === undefined && disk.lun === undefined) return `disk ${name} requires diskDevice of type 'disk' or 'lun' to be hotplugged`;
  return onScsi(disk) ? undefined : `hotplugged disk ${name} does not use a scsi bus`;
}

function newHotplugProblem(name: string, volume: Volume, disks: Disks): string | undefined {
  if (volume.memoryDump !== undefined) return undefined;
  return isClaim(volume) ? newHotplugDiskProblem(name, disks.get(name)) : `volume ${name} is not a PVC or DataVolume`;
}

function existingHotplugProblem(name: string, volume: Volume, before: Volumes, disks: { now: Disks; before: Disks }): string | undefined {
  if (!isDeepStrictEqual(volume, before.get(name))) return `hotplug volume ${name} changed`;
  if (volume.memoryDump !== undefined) return undefined;
  if (!disks.now.has(name)) return `volume ${name} doesn't have a matching disk`;
  return isDeepStrictEqual(disks.now.get(name), disks.before.get(name)) ? undefined : `hotplug disk ${name} changed`;
}

function hotplugProblem(now: Volumes, before: Volumes, disks: { now: Disks; before: Disks }): string | undefined {
  for (const [name, volume] of now) {
    const problem = before.has(name) ? existingHotplugProblem(name, volume, before, disks) : newHotplugProblem(name, volume, disks.now);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** C54 (storage): disks match volumes, permanent volumes unchanged, hotplugged ones well-formed. */
function storageProblem(vmi: Vmi, old: Vmi): string | undefined {
  const volumes = vmi.spec.volumes ?? [];
  const expected = volumes.filter((v) => v.memoryDump === undefined).length;
  const diskCount = vmi.spec.domain.devices.disks?.length ?? 0;
  if (expected !== diskCount) return `number of disks (${diskCount}) does not equal the number of volumes (${expected})`;
  const permanent = permanentNames(old);
  const isPermanent = (v: Volume): boolean => permanent.has(v.name);
  const disks = { now: byName(vmi.spec.domain.devices.disks), before: byName(old.spec.domain.devices.disks) };
  return permanentProblem(byName(volumes, isPermanent), byName(old.spec.volumes, isPermanent), disks)
    ?? hotplugProblem(byName(volumes, (v) => !isPermanent(v)), byName(old.spec.volumes, (v) => !isPermanent(v)), disks);
}

/** C52–C54 for a spec change by one of KubeVirt's service accounts. */
export function hotplugCauses(vmi: Vmi, old: Vmi, ctx: AdmissionContext): Cause[] {
  const problem = cpuProblem(vmi, old) ?? memoryProblem(vmi, old) ?? storageProblem(vmi, old);
  if (problem !== undefined) return [invalid(problem)];
  return validateVmiSpec(vmi.spec, path('spec'), { cfg: ctx.cfg, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
}
