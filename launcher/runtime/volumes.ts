/**
 * `prepareVolumes(vmi, options)`: executes a VMI's volume plan on this host (the pure decisions are
 * launcher/volumes' `planVolumes`), so the converter can point the domain at real files:
 * containerDisk and ephemeral overlays, empty disks, volume-store and host disks, cloud-init and
 * config ISOs, and the kernel-boot files used in place. Every file it creates is the QEMU user's
 * and nobody else's (see volumes-access.ts); `cleanup()` removes all of it again (never a
 * volume-store file or a host disk), and a failure part-way removes what was made before throwing.
 * @see https://github.com/kubevirt/kubevirt/tree/main/pkg/virt-launcher (ephemeral disks, cloud-init, config disks)
 */
import { rm, rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConversionError, KubevirtError } from '../../core/errors.js';
import { isUnderRoot } from '../../core/paths.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { VolumeSource } from '../converter/context.js';
import { planVolumes, type ImageFacts, type KernelBootFiles, type ObjectSource, type PrepareStep, type VolumePlan } from '../volumes/index.js';
import type { ImageStore } from './image-store.js';
import { assertReachable, type FileOwner } from './unprivileged-user.js';
import { grantExisting, grantPrepared, makeDirs, shareReadOnly } from './volumes-access.js';
import { checkBase, checkHostDisk, checkVolumeStoreFile, createEmptyDisk, createHostDisk, createOverlay } from './volumes-disks.js';
import { gatherImageFacts, locateKernelBootFile } from './volumes-images.js';
import { writeIsoStep } from './volumes-iso.js';

/** What volume preparation needs from its host. */
export interface PrepareVolumesOptions {
  /** The VMI's private directory (absolute, existing; the launcher's state directory). */
  readonly vmiDir: string;
  /** Root of the local volume store: claim `C` in namespace `N` is `<volumeStore>/<N>/<C>/disk.img`. */
  readonly volumeStore: string;
  /** Directories hostDisk paths may lie under. @default [] (hostDisk refused) */
  readonly hostDiskRoots?: readonly string[];
  /** The local image store containerDisk and kernel-boot images resolve through. */
  readonly imageStore: ImageStore;
  /** Secrets, ConfigMaps and service-account tokens. */
  readonly objects: ObjectSource;
  /** The account QEMU runs as, when this process is root; without it files are just private. */
  readonly qemuUser?: FileOwner;
  /** @default 'qemu-img' */
  readonly qemuImg?: string;
  /** @default 'genisoimage' */
  readonly genisoimage?: string;
}

/** The prepared volumes, as the converter needs them, and how to undo them. */
export interface PreparedVolumes {
  /** `ConverterContext.volumes`. */
  readonly volumes: Readonly<Record<string, VolumeSource>>;
  /** `ConverterContext.kernelBoot`. */
  readonly kernelBoot?: KernelBootFiles;
  /** The plan that was executed. */
  readonly plan: VolumePlan;
  /** Removes every file and directory preparation created; idempotent. */
  cleanup(): Promise<void>;
}

/** A step failed for a reason of the host (a tool, a permission), not of the VMI; names the field. */
export class VolumePreparationError extends KubevirtError {
  /** The KubeVirt field of the volume, e.g. `spec.volumes[3].cloudInitNoCloud`. */
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** What was made, newest last; `persistent` entries (a created host disk) survive a cleanup. */
class Made {
  private entries: { readonly path: string; readonly persistent: boolean }[] = [];

  add(path: string, persistent = false): void {
    this.entries.push({ path, persistent });
  }

  /** Removes entries newest first (all of them after a failure); reports every removal that failed. */
  async remove(includePersistent: boolean): Promise<void> {
    const errors: unknown[] = [];
    const kept: typeof this.entries = [];
    for (const entry of [...this.entries].reverse()) {
      if (entry.persistent && !includePersistent) continue;
      try {
        await rm(entry.path, { recursive: true, force: true });
      } catch (e: unknown) {
        errors.push(e);
        kept.unshift(entry);
      }
    }
    this.entries = [...this.entries.filter((e) => e.persistent && !includePersistent), ...kept];
    if (errors.length > 0) throw new AggregateError(errors, `Could not remove ${errors.length} prepared volume file(s)`);
  }
}

interface Run {
  readonly options: PrepareVolumesOptions;
  readonly images: Readonly<Record<string, ImageFacts>>;
  readonly made: Made;
}

async function outputDir(run: Run, path: string): Promise<void> {
  await makeDirs(run.options.vmiDir, dirname(path), run.options.qemuUser, (d) => run.made.add(d));
}

type StepOf<K extends PrepareStep['kind']> = Extract<PrepareStep, { kind: K }>;

async function overlay(run: Run, step: StepOf<'overlay'>): Promise<void> {
  const { options } = run;
  await checkBase(step);
  await shareReadOnly(step.base.store === 'image-store' ? options.imageStore.root : options.volumeStore, step.base.path, options.qemuUser);
  await outputDir(run, step.path);
  run.made.add(step.path);
  await createOverlay(step, { ...(options.qemuImg === undefined ? {} : { qemuImg: options.qemuImg }) });
  await grantPrepared(step.path, step.access, options.qemuUser);
}

async function emptyDisk(run: Run, step: StepOf<'empty-disk'>): Promise<void> {
  await outputDir(run, step.path);
  run.made.add(step.path);
  await createEmptyDisk(step, { ...(run.options.qemuImg === undefined ? {} : { qemuImg: run.options.qemuImg }) });
  await grantPrepared(step.path, step.access, run.options.qemuUser);
}

async function volumeStoreFile(run: Run, step: StepOf<'volume-store-file'>): Promise<void> {
  await checkVolumeStoreFile(step, run.options.volumeStore);
  await shareReadOnly(run.options.volumeStore, step.path, run.options.qemuUser);
  await grantExisting(step.path, run.options.qemuUser);
}

async function hostDisk(run: Run, step: StepOf<'host-disk'>): Promise<void> {
  const roots = run.options.hostDiskRoots ?? [];
  if (!(await checkHostDisk(step, roots))) {
    const root = roots.find((r) => isUnderRoot(step.path, r));
    if (root === undefined) throw new ConversionError(`${step.field}.path`, `${step.path} is not under an allowed host-disk root`);
    await makeDirs(root, dirname(step.path), run.options.qemuUser, (d) => run.made.add(d, true));
    run.made.add(step.path, true);
    await createHostDisk(step);
  }
  await grantExisting(step.path, run.options.qemuUser);
}

async function iso(run: Run, step: StepOf<'iso'>): Promise<void> {
  await outputDir(run, step.path);
  await makeDirs(run.options.vmiDir, dirname(step.stagingDir), undefined, (d) => run.made.add(d));
  run.made.add(step.path);
  await writeIsoStep(run.options.objects, step, { ...(run.options.genisoimage === undefined ? {} : { genisoimage: run.options.genisoimage }) });
  await grantPrepared(step.path, step.access, run.options.qemuUser);
  await removeIfEmpty(dirname(step.stagingDir));
}

/** Drops the staging root once no ISO is being staged in it (another volume's may still be). */
async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch (e: unknown) {
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
  }
}

async function imageFile(run: Run, step: StepOf<'image-file'>): Promise<void> {
  const image = run.images[step.ref];
  if (image === undefined) throw new ConversionError(step.field, `image ${JSON.stringify(step.ref)} has not been resolved`);
  await locateKernelBootFile({ ref: step.ref, dir: image.dir }, step.pathInImage, step.field);
  await shareReadOnly(run.options.imageStore.root, step.path, run.options.qemuUser);
}

async function runStep(run: Run, step: PrepareStep): Promise<void> {
  switch (step.kind) {
    case 'overlay': return overlay(run, step);
    case 'empty-disk': return emptyDisk(run, step);
    case 'volume-store-file': return volumeStoreFile(run, step);
    case 'host-disk': return hostDisk(run, step);
    case 'iso': return iso(run, step);
    case 'image-file': return imageFile(run, step);
  }
}

/** Runs a step; a host failure becomes a {@link VolumePreparationError} naming the step's field. */
async function runNamed(run: Run, step: PrepareStep): Promise<void> {
  try {
    await runStep(run, step);
  } catch (e: unknown) {
    // Errors that already name their field pass; a host tool's failure gets the step's field.
    if (e instanceof ConversionError || e instanceof VolumePreparationError) throw e;
    throw new VolumePreparationError(step.field, `could not prepare ${step.path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

async function checkVmiDir(vmiDir: string): Promise<void> {
  const info = await stat(vmiDir).catch((e: unknown) => {
    throw new Error(`The VMI directory ${vmiDir} cannot be used (the launcher creates it before preparing volumes)`, { cause: e });
  });
  if (!info.isDirectory()) throw new Error(`The VMI directory ${vmiDir} is not a directory`);
}

/** Every path QEMU opens must be reachable by its user through all ancestors. */
async function checkReachable(plan: VolumePlan, user: FileOwner | undefined): Promise<void> {
  if (user === undefined) return;
  for (const v of plan.volumes) {
    await assertReachable(v.source.path, user).catch((e: unknown) => {
      throw new VolumePreparationError(v.field, `QEMU's user cannot reach ${v.source.path}`, { cause: e });
    });
  }
}

/**
 * Prepares every volume and kernel-boot file of the VMI and returns what the converter needs.
 * Errors the VMI causes are {@link ConversionError}s naming its field (a missing claim, Secret or
 * ConfigMap, a host disk outside the allowed roots); host failures are
 * {@link VolumePreparationError}s. Either way nothing it made is left behind.
 */
export async function prepareVolumes(vmi: Readonly<VirtualMachineInstance>, options: PrepareVolumesOptions): Promise<PreparedVolumes> {
  await checkVmiDir(options.vmiDir);
  const images = await gatherImageFacts(vmi, options.imageStore, options.qemuImg);
  const plan = planVolumes(vmi, { vmiDir: options.vmiDir, volumeStore: options.volumeStore, hostDiskRoots: options.hostDiskRoots ?? [], images });
  const run: Run = { options, images, made: new Made() };
  try {
    for (const step of plan.steps) await runNamed(run, step);
    await checkReachable(plan, options.qemuUser);
  } catch (e: unknown) {
    await run.made.remove(true).catch((cleanupError: unknown) => {
      throw new AggregateError([e, cleanupError], 'Volume preparation failed, and removing what it had made failed too');
    });
    throw e;
  }
  let pending: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    pending ??= run.made.remove(false).finally(() => { pending = undefined; });
    return pending;
  };
  return { volumes: plan.sources, ...(plan.kernelBoot === undefined ? {} : { kernelBoot: plan.kernelBoot }), plan, cleanup };
}
