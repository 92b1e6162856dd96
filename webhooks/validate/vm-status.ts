/**
 * VM rules that depend on its status: no volume or run-state change while a snapshot is taken
 * (C36, C37), no run-strategy change while a restore runs (C38), and well-formed volume hotplug
 * requests (C39, C40). The lookups hold no VMIs, so the checks against the running VMI (its
 * volumes, C41's migration) are not made here.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
 */
import { isDeepStrictEqual } from 'node:util';
import { path } from '../../core/field-path.js';
import type {
  AddVolumeOptions, Disk, VirtualMachine, VirtualMachineInstanceSpec, VirtualMachineVolumeRequest, Volume,
} from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { SpecContext } from './types.js';
import { effectiveRunStrategy } from './vm-run-strategy.js';
import { validateVmiSpec } from './vmi-spec.js';

type Vm = Readonly<VirtualMachine>;

const volumesOf = (vm: Vm): readonly Volume[] => vm.spec.template?.spec?.volumes ?? [];

function runStateChanged(vm: Vm, old: Vm): boolean {
  const [a, b] = [vm.spec, old.spec];
  const both = <K extends 'running' | 'runStrategy'>(k: K): boolean => a[k] !== undefined && b[k] !== undefined;
  if (both('running') && a.running !== b.running) return true;
  if (both('runStrategy') && a.runStrategy !== b.runStrategy) return true;
  const mixed = (a.running !== undefined && b.runStrategy !== undefined) || (a.runStrategy !== undefined && b.running !== undefined);
  return mixed;
}

function snapshotCauses(vm: Vm, old: Vm): Cause[] {
  const snapshot = vm.status?.snapshotInProgress;
  if (snapshot === undefined) return [];
  const out: Cause[] = [];
  if (!isDeepStrictEqual(volumesOf(vm), volumesOf(old))) {
    out.push(cause(CauseType.NotSupported, 'spec', `disks and volumes cannot be changed until snapshot ${JSON.stringify(snapshot)} completes`));
  }
  if (runStateChanged(vm, old)) out.push(cause(CauseType.NotSupported, 'spec', `the running state cannot be changed until snapshot ${JSON.stringify(snapshot)} completes`));
  return out;
}

function restoreCauses(vm: Vm, old: Vm): Cause[] {
  const restore = vm.status?.restoreInProgress;
  if (restore === undefined || effectiveRunStrategy(vm.spec) === effectiveRunStrategy(old.spec) || isDeepStrictEqual(vm.spec, old.spec)) return [];
  return [cause(CauseType.NotSupported, 'spec', `runStrategy cannot be changed until restore ${JSON.stringify(restore)} completes`)];
}

/** C36, C37 (snapshot in progress) and C38 (restore in progress); UPDATE only. */
export function statusGuardCauses(vm: Vm, old: Vm | undefined): Cause[] {
  return old === undefined ? [] : [...snapshotCauses(vm, old), ...restoreCauses(vm, old)];
}

const REQUESTS = 'Status.volumeRequests';
const invalid = (message: string): Cause => cause(CauseType.Invalid, REQUESTS, message);

/** Why an added disk cannot be hotplugged (KubeVirt: a disk or lun on the scsi bus, no dedicated I/O thread). */
function hotplugDiskProblem(name: string, disk: Readonly<Disk> | undefined): string | undefined {
  if (disk === undefined) return `AddVolume request for [${name}] requires the disk field to be set`;
  const target = disk.disk ?? disk.lun;
  if (target === undefined) return `AddVolume request for [${name}] requires diskDevice of type 'disk' or 'lun' to be used`;
  if (target.bus !== 'scsi') return `AddVolume request for [${name}] requires disk bus to be 'scsi'; [${target.bus ?? ''}] is not permitted`;
  return disk.dedicatedIOThread === true ? `AddVolume request for [${name}]: IOThreads are not supported by the scsi bus` : undefined;
}

function addedVolume(add: Readonly<AddVolumeOptions>): Volume {
  const source = add.volumeSource;
  return {
    name: add.name,
    ...(source.persistentVolumeClaim === undefined ? {} : { persistentVolumeClaim: source.persistentVolumeClaim }),
    ...(source.persistentVolumeClaim === undefined && source.dataVolume !== undefined ? { dataVolume: source.dataVolume } : {}),
  };
}

/** The request's shape problem: both options or neither. */
function shapeProblem(req: Readonly<VirtualMachineVolumeRequest>): string | undefined {
  const { addVolumeOptions: add, removeVolumeOptions: remove } = req;
  if (add !== undefined && remove !== undefined) return 'VolumeRequests require either addVolumeOptions or removeVolumeOptions to be set, not both';
  return add === undefined && remove === undefined ? 'VolumeRequests require one of either addVolumeOptions or removeVolumeOptions to be set' : undefined;
}

/** A repeated add or remove for the same name (remembering this one). */
function duplicateProblem(req: Readonly<VirtualMachineVolumeRequest>, seen: Set<string>): string | undefined {
  const add = req.addVolumeOptions;
  const [kind, name] = add === undefined ? ['RemoveVolume', req.removeVolumeOptions?.name ?? ''] : ['AddVolume', add.name];
  const key = `${kind}\u0000${name}`;
  if (seen.has(key)) return `${kind} request for [${name}] already exists`;
  seen.add(key);
  return undefined;
}

function addProblem(add: Readonly<AddVolumeOptions>, template: ReadonlyMap<string, Volume>): string | undefined {
  const existing = template.get(add.name);
  const clash = existing !== undefined && !isDeepStrictEqual(addedVolume(add), existing);
  return hotplugDiskProblem(add.name, add.disk) ?? (clash ? `AddVolume request for [${add.name}] conflicts with an existing volume of the same name on the vmi template` : undefined);
}

/** C39 for one request, given the requests seen so far; undefined when it is well-formed. */
function requestProblem(req: Readonly<VirtualMachineVolumeRequest>, seen: Set<string>, template: ReadonlyMap<string, Volume>): string | undefined {
  const add = req.addVolumeOptions;
  return shapeProblem(req) ?? duplicateProblem(req, seen) ?? (add === undefined ? undefined : addProblem(add, template));
}

/** KubeVirt's `ApplyVolumeRequestOnVMISpec`: the template spec with one request carried out. */
function applyRequest(spec: VirtualMachineInstanceSpec, req: Readonly<VirtualMachineVolumeRequest>): void {
  const add = req.addVolumeOptions;
  const devices = spec.domain.devices;
  if (add !== undefined && !(spec.volumes ?? []).some((v) => v.name === add.name)) {
    spec.volumes = [...(spec.volumes ?? []), addedVolume(add)];
    devices.disks = [...(devices.disks ?? []), { ...structuredClone(add.disk), name: add.name }];
  }
  const remove = req.removeVolumeOptions?.name;
  if (remove !== undefined) {
    spec.volumes = (spec.volumes ?? []).filter((v) => v.name !== remove);
    devices.disks = (devices.disks ?? []).filter((d) => d.name !== remove);
  }
}

/**
 * C39 (first malformed request) and C40 (the template with every request carried out must still
 * pass the VMI spec rules, prefix `spec.template.spec`).
 */
export function volumeRequestCauses(vm: Vm, ctx: SpecContext): Cause[] {
  const requests = vm.status?.volumeRequests ?? [];
  if (requests.length === 0) return [];
  const template = new Map(volumesOf(vm).map((v) => [v.name, v]));
  const seen = new Set<string>();
  for (const req of requests) {
    const problem = requestProblem(req, seen, template);
    if (problem !== undefined) return [invalid(problem)];
  }
  const spec = structuredClone(vm.spec.template?.spec ?? { domain: { devices: {} } }) as VirtualMachineInstanceSpec;
  for (const req of requests) applyRequest(spec, req);
  return validateVmiSpec(spec, path('spec', 'template', 'spec'), ctx);
}
