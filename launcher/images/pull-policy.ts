/**
 * Which images a VMI boots from, with the pull policy and pull secret of each, and what a policy
 * asks of the store: pull, use what is there, or fail. KubeVirt's admission writes the default
 * policy (mutation.md: `Always` for an image ending in `:latest` or with neither ":" nor "@",
 * `IfNotPresent` otherwise); a VMI that reaches the launcher without one gets the same rule here.
 * Pure.
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
import { defaultImagePullPolicy } from '../../core/image-ref.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';

/** Kubernetes' image pull policies. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** One image a VMI boots from. */
export interface ImagePull {
  /** The reference as the VMI writes it. */
  readonly ref: string;
  /** The field that names it (`spec.volumes[0].containerDisk.image`). */
  readonly field: string;
  readonly policy: PullPolicy;
  /** The `kubernetes.io/dockerconfigjson` Secret (`imagePullSecret`), in the VMI's namespace. */
  readonly pullSecret?: string;
}

function policyOf(image: string, given: string | undefined): PullPolicy {
  return given === 'Always' || given === 'IfNotPresent' || given === 'Never' ? given : defaultImagePullPolicy(image);
}

/** Every image the VMI boots from (containerDisks, then the kernel-boot container), in spec order. */
export function imagePullsOf(vmi: Readonly<VirtualMachineInstance>): ImagePull[] {
  const pulls: ImagePull[] = (vmi.spec.volumes ?? []).flatMap((v, i) => {
    const cd = v.containerDisk;
    if (cd === undefined) return [];
    const secret = cd.imagePullSecret;
    return [{ ref: cd.image, field: `spec.volumes[${i}].containerDisk.image`, policy: policyOf(cd.image, cd.imagePullPolicy), ...(secret ? { pullSecret: secret } : {}) }];
  });
  const kernel = vmi.spec.domain.firmware?.kernelBoot?.container;
  if (kernel !== undefined) {
    const secret = kernel.imagePullSecret;
    pulls.push({ ref: kernel.image, field: 'spec.domain.firmware.kernelBoot.container.image', policy: policyOf(kernel.image, kernel.imagePullPolicy), ...(secret ? { pullSecret: secret } : {}) });
  }
  return pulls;
}

/** How a node pulls one image volume of a pod (Kubernetes' ImageVolume), as a kubelet does. */
export interface ImageVolumePull {
  /** The pod volume, named in every failure. */
  readonly volume: string;
  readonly policy: PullPolicy;
  /** The pod's namespace, where its pull Secrets are. */
  readonly namespace: string;
  /** The pod's `imagePullSecrets` (kubernetes.io/dockerconfigjson Secrets), in order. */
  readonly pullSecrets: readonly string[];
}

/** What to do for one image: pull it, use the stored copy, or fail (Never, and none is stored). */
export type PullDecision = 'pull' | 'use' | 'missing';

/**
 * The kubelet's rule: Always pulls (the registry decides whether anything changed: an unchanged
 * manifest digest reuses every stored layer), IfNotPresent pulls only what is not stored, Never never
 * pulls. A reference pinned by digest cannot change, so a stored copy is used whatever the policy.
 */
export function pullDecision(policy: PullPolicy, stored: boolean, pinnedByDigest: boolean): PullDecision {
  if (stored && (pinnedByDigest || policy !== 'Always')) return 'use';
  if (policy === 'Never') return stored ? 'use' : 'missing';
  return 'pull';
}
