/**
 * `firmware.kernelBoot.container`: the kernel and initrd are used read-only where the image store
 * keeps them, so nothing is copied; their host paths go to the converter as
 * `ConverterContext.kernelBoot`.
 * @see https://kubevirt.io/user-guide/user_workloads/boot_from_external_source/
 */
import { ConversionError } from '../../core/errors.js';
import { checkImagePath, joinInside } from '../../core/paths.js';
import type { PlanInput } from './context.js';
import type { KernelBootFiles, PrepareStep } from './types.js';

const FIELD = 'spec.domain.firmware.kernelBoot.container';

/** The kernel-boot files and the steps that check and share them; undefined without a container. */
export function planKernelBoot(input: PlanInput): { readonly files: KernelBootFiles; readonly steps: readonly PrepareStep[] } | undefined {
  const container = input.vmi.spec.domain.firmware?.kernelBoot?.container;
  if (container === undefined) return undefined;
  const image = input.facts.images[container.image];
  if (image === undefined) throw new ConversionError(`${FIELD}.image`, `image ${JSON.stringify(container.image)} has not been resolved in the local image store`);
  const wanted = [['kernel', 'kernelPath', container.kernelPath], ['initrd', 'initrdPath', container.initrdPath]] as const;
  const present = wanted.filter(([, , p]) => p !== undefined && p !== '');
  if (present.length === 0) throw new ConversionError(FIELD, 'needs kernelPath, initrdPath or both');
  const files: Record<string, string> = {};
  const steps = present.map(([key, name, pathInImage]): PrepareStep => {
    const field = `${FIELD}.${name}`;
    const path = joinInside(image.dir, checkImagePath(field, pathInImage ?? ''));
    files[key] = path;
    return { kind: 'image-file', field, path, ref: container.image, pathInImage: pathInImage ?? '' };
  });
  return { files, steps };
}
