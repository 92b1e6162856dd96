/**
 * The VMI a command works on, from the manifests a user names: exactly one VirtualMachineInstance,
 * or one VirtualMachine (admitted as a VM, then its template becomes the VMI as the VM controller
 * makes it), admitted through the same chain as `kvt validate` (schema, presets, defaults,
 * KubeVirt's rules). Presets, instancetypes, preferences, Secrets and ConfigMaps in the same
 * manifests travel along (admission looks the first up; the launcher's cloud-init and config disks
 * read the others). A manifest without a namespace is in `default`.
 *
 * Unlike `kvt validate`, the values KubeVirt draws at random are derived from the object's name, so
 * `kvt domxml` prints the same XML every run: the firmware UUID as KubeVirt's VM controller derives
 * it (UUID v5 of the name), further ids as UUID v5 of `<name>/<n>`.
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../core/cluster-config.js';
import { ConversionError } from '../core/errors.js';
import { FIRMWARE_UUID_NAMESPACE, firmwareUuidFor, uuidV5 } from '../core/uuid.js';
import { Gvk, type VirtualMachine, type VirtualMachineInstance } from '../crd-gen/index.js';
import { vmiFromVm } from '../reconcilers/vm/vmi-from-vm.js';
import { lookupsFromObjects } from '../webhooks/admission-lookups.js';
import { admit } from '../webhooks/admission.js';
import { expandInstancetypes } from '../webhooks/mutate/instancetype.js';
import type { AdmissionContext, AdmissionIds } from '../webhooks/context.js';
import { denialLines } from './check.js';
import type { CommandIo } from './command.js';
import { readSources } from './manifest-sources.js';
import { displayName, type ManifestObject } from '../core/manifests.js';

/** A usable VMI, or the lines that say why there is none. */
export type VmiInput =
  | { readonly ok: true; readonly vmi: VirtualMachineInstance; readonly objects: readonly Record<string, unknown>[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

type Step<T> = { readonly ok: true; readonly object: T; readonly warnings: readonly string[] } | { readonly ok: false; readonly problems: readonly string[] };

const ROOT_KINDS = new Set(['VirtualMachineInstance', 'VirtualMachine']);

/** Ids derived from `name`: the first is KubeVirt's name-based firmware UUID, the n-th UUID v5 of `<name>/<n>`. */
export function derivedIds(name: string): AdmissionIds {
  let drawn = 0;
  return {
    uuid: () => {
      drawn += 1;
      return drawn === 1 ? firmwareUuidFor(name) : uuidV5(`${name}/${drawn - 1}`, FIRMWARE_UUID_NAMESPACE);
    },
  };
}

function withNamespace(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (typeof object['metadata'] === 'object' && object['metadata'] !== null ? object['metadata'] : {}) as { namespace?: unknown };
  return { ...object, metadata: { ...metadata, namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default' } };
}

function isRoot(item: ManifestObject): boolean {
  return item.object['apiVersion'] === Gvk.VirtualMachineInstance.apiVersion && ROOT_KINDS.has(String(item.object['kind']));
}

/** One CREATE through the admission chain, as lines when refused. */
function admitted<T>(object: unknown, ctx: AdmissionContext): Step<T> {
  const name = displayName(object as Record<string, unknown>);
  const result = admit(object, undefined, 'CREATE', ctx);
  const warnings = result.warnings.map((w) => `${name}: ${w}`);
  return result.allowed ? { ok: true, object: result.object as T, warnings } : { ok: false, problems: denialLines(name, result.status) };
}

/** The VMI of an admitted VM, admitted in turn (the VM controller's create passes the VMI webhooks). */
function vmiOfVm(vm: VirtualMachine, ctx: AdmissionContext): Step<VirtualMachineInstance> {
  // The instancetype and preference among the manifests apply to the VMI, as KubeVirt's VM controller applies them.
  const expanded = expandInstancetypes(vm.spec.template, vm.spec, vm.metadata.namespace ?? 'default', ctx.lookups);
  if (!expanded.ok) return { ok: false, problems: expanded.causes.map((c) => `${displayName(vm)}: ${c.field}: ${c.message}`) };
  let vmi: VirtualMachineInstance;
  try {
    vmi = vmiFromVm({ ...vm, spec: { ...vm.spec, template: expanded.template } });
  } catch (e: unknown) {
    if (e instanceof ConversionError) return { ok: false, problems: [`${displayName(vm)}: ${e.message}`] };
    throw e;
  }
  return admitted<VirtualMachineInstance>(vmi, ctx);
}

function admitRoot(root: Record<string, unknown>, ctx: AdmissionContext): Step<VirtualMachineInstance> {
  if (root['kind'] === 'VirtualMachineInstance') return admitted<VirtualMachineInstance>(root, ctx);
  const vm = admitted<VirtualMachine>(root, ctx);
  if (!vm.ok) return vm;
  const vmi = vmiOfVm(vm.object, ctx);
  return vmi.ok ? { ...vmi, warnings: [...vm.warnings, ...vmi.warnings] } : vmi;
}

/** Picks the one VMI (or VM) among `items` and admits it. */
export function vmiFromManifests(items: readonly ManifestObject[], cfg: ClusterConfig = DEFAULT_CLUSTER_CONFIG): VmiInput {
  const roots = items.filter(isRoot);
  if (roots.length !== 1) {
    const found = roots.length === 0 ? 'none' : roots.map((r) => displayName(r.object)).join(', ');
    return { ok: false, problems: [`expected exactly one kubevirt.io/v1 VirtualMachineInstance or VirtualMachine, found ${found}`] };
  }
  const root = roots[0] as ManifestObject;
  const meta = root.object['metadata'] as { name?: unknown } | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '';
  const ctx: AdmissionContext = { cfg, lookups: lookupsFromObjects(items.map((i) => i.object)), ids: derivedIds(name), now: new Date() };
  const result = admitRoot(withNamespace(root.object), ctx);
  if (!result.ok) return result;
  const objects = items.filter((i) => i !== root).map((i) => i.object);
  return { ok: true, vmi: result.object, objects, warnings: result.warnings };
}

/**
 * Reads `source` and returns its VMI, or the exit code when there is none (1, as kubectl: the source
 * cannot be read or parsed, or holds no usable VMI). Problems and warnings go to `io.err`.
 */
export async function loadVmi(source: string, io: CommandIo): Promise<Extract<VmiInput, { ok: true }> | number> {
  const { objects, errors } = await readSources([source], false);
  for (const e of errors) io.err(`error: ${e.source}: ${e.message}\n`);
  if (errors.length > 0) return 1;
  const input = vmiFromManifests(objects);
  if (!input.ok) {
    for (const p of input.problems) io.err(`${p}\n`);
    return 1;
  }
  for (const w of input.warnings) io.err(`Warning: ${w}\n`);
  return input;
}
