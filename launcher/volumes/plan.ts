/**
 * `planVolumes(vmi, facts)`: for every volume of `spec.volumes`, the host paths the launcher will
 * create, the `VolumeSource` the converter will see, and the preparation steps; plus the host
 * paths of `firmware.kernelBoot.container`'s kernel and initrd. Pure: the facts carry everything
 * the host knows (the VMI's private directory, the volume store, the allowed host-disk roots, the
 * resolved images), so `kvt domxml` prints the exact domain without preparing anything, and the
 * launcher runtime executes the same plan.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/converter.go
 */
import { ConversionError } from '../../core/errors.js';
import { checkDnsLabel } from '../../core/paths.js';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import type { VolumeSource } from '../converter/context.js';
import { volumeAccess } from './access.js';
import { planConfigDrive, planNoCloud } from './cloud-init.js';
import { planConfigMap, planDownwardApi, planSecret, planServiceAccount } from './config-disks.js';
import type { PlanInput, VolumePlanner } from './context.js';
import { planContainerDisk, planDataVolume, planEmptyDisk, planEphemeral, planHostDisk, planPersistentVolumeClaim } from './disk-volumes.js';
import { planKernelBoot } from './kernel-boot.js';
import { planSysprep } from './sysprep.js';
import type { PlannedVolume, PrepareStep, VolumeKind, VolumePlan, VolumePlanFacts } from './types.js';

const PLANNERS: Readonly<Record<VolumeKind, VolumePlanner>> = {
  containerDisk: planContainerDisk,
  ephemeral: planEphemeral,
  emptyDisk: planEmptyDisk,
  persistentVolumeClaim: planPersistentVolumeClaim,
  dataVolume: planDataVolume,
  hostDisk: planHostDisk,
  cloudInitNoCloud: planNoCloud,
  cloudInitConfigDrive: planConfigDrive,
  configMap: planConfigMap,
  secret: planSecret,
  serviceAccount: planServiceAccount,
  downwardAPI: planDownwardApi,
  sysprep: planSysprep,
};

/** The namespace a VMI without one lives in (as kubectl and the API server assume). */
const DEFAULT_NAMESPACE = 'default';

function isKind(key: string): key is VolumeKind {
  return Object.hasOwn(PLANNERS, key);
}

/** The one volume source a volume sets. */
function volumeKind(volume: Readonly<Volume>, field: string): VolumeKind {
  const set = Object.entries(volume).filter(([k, v]) => k !== 'name' && v !== undefined && v !== null).map(([k]) => k);
  if (set.length === 0) throw new ConversionError(field, 'sets no volume source');
  if (set.length > 1) throw new ConversionError(field, `sets more than one volume source (${set.join(', ')}); set exactly one`);
  const kind = set[0] ?? '';
  if (!isKind(kind)) throw new ConversionError(`${field}.${kind}`, `${kind} volumes are not supported by kubevirt-ts`);
  return kind;
}

function planOne(input: PlanInput, volume: Readonly<Volume>, index: number): PlannedVolume {
  const field = `spec.volumes[${index}]`;
  const name = checkDnsLabel(`${field}.name`, volume.name);
  const kind = volumeKind(volume, field);
  const part = PLANNERS[kind](input, { volume, field, name, access: volumeAccess(input.vmi, name) });
  return { name, field, kind, source: part.source, steps: part.steps };
}

/** Paths a step creates (and so owns): two volumes must never share one. */
function createdPath(step: PrepareStep): string | undefined {
  return step.kind === 'overlay' || step.kind === 'empty-disk' || step.kind === 'iso' ? step.path : undefined;
}

function checkDistinct(volumes: readonly PlannedVolume[]): void {
  const names = new Map<string, string>();
  const paths = new Map<string, string>();
  for (const v of volumes) {
    const earlier = names.get(v.name);
    if (earlier !== undefined) throw new ConversionError(`${v.field}.name`, `"${v.name}" is used by more than one volume (also ${earlier})`);
    names.set(v.name, v.field);
    for (const path of v.steps.map(createdPath).filter((p) => p !== undefined)) {
      const owner = paths.get(path);
      if (owner !== undefined) {
        throw new ConversionError(v.field, `would be prepared at ${path}, as ${owner} is; a VMI has at most one serviceAccount volume`);
      }
      paths.set(path, v.field);
    }
  }
}

function checkFacts(facts: VolumePlanFacts): void {
  for (const [what, dir] of [['vmiDir', facts.vmiDir], ['volumeStore', facts.volumeStore]] as const) {
    if (!dir.startsWith('/') || dir.split('/').includes('..')) throw new Error(`planVolumes: facts.${what} must be an absolute path without "..", not ${JSON.stringify(dir)}`);
  }
}

/**
 * The preparation plan of a VMI's volumes and kernel-boot files. Throws a {@link ConversionError}
 * naming the KubeVirt field for anything the launcher cannot prepare (a bad name or path, a
 * missing image, an unsupported volume kind), before anything is created.
 */
export function planVolumes(vmi: Readonly<VirtualMachineInstance>, facts: VolumePlanFacts): VolumePlan {
  checkFacts(facts);
  const namespace = checkDnsLabel('metadata.namespace', vmi.metadata.namespace ?? DEFAULT_NAMESPACE);
  const input: PlanInput = { vmi, facts, namespace };
  const volumes = (vmi.spec.volumes ?? []).map((v, i) => planOne(input, v, i));
  checkDistinct(volumes);
  const kernel = planKernelBoot(input);
  const sources: Record<string, VolumeSource> = Object.fromEntries(volumes.map((v) => [v.name, v.source]));
  return {
    volumes,
    sources,
    ...(kernel === undefined ? {} : { kernelBoot: kernel.files }),
    steps: [...volumes.flatMap((v) => v.steps), ...(kernel?.steps ?? [])],
  };
}

/**
 * The image references a VMI uses (containerDisk images, the kernel-boot container), with the
 * field of each, so the caller can resolve them into {@link VolumePlanFacts.images} first.
 */
export function imageRefs(vmi: Readonly<VirtualMachineInstance>): readonly { readonly ref: string; readonly field: string; readonly path?: string }[] {
  const refs = (vmi.spec.volumes ?? []).flatMap((v, i) => {
    const cd = v.containerDisk;
    if (cd === undefined) return [];
    return [{ ref: cd.image, field: `spec.volumes[${i}].containerDisk`, ...(cd.path ? { path: cd.path } : {}) }];
  });
  const container = vmi.spec.domain.firmware?.kernelBoot?.container;
  return container === undefined ? refs : [...refs, { ref: container.image, field: 'spec.domain.firmware.kernelBoot.container' }];
}
