/**
 * The VMI a command works on, from the manifests a user names: exactly one VirtualMachineInstance,
 * or one VirtualMachine (its template becomes the VMI, as the VM controller makes it), checked
 * against the schema and given KubeVirt's admission defaults. Secrets and ConfigMaps in the same
 * manifests travel along (the launcher's cloud-init and config disks read them). A manifest
 * without a namespace is in `default`.
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../core/cluster-config.js';
import { ConversionError } from '../core/errors.js';
import { firmwareUuidFor } from '../core/uuid.js';
import { createSchemaValidator, loadSchema, type VirtualMachine, type VirtualMachineInstance } from '../crd-gen/index.js';
import { vmiFromVm } from '../reconcilers/vm/vmi-from-vm.js';
import { applyVmiDefaults } from '../webhooks/mutate/vmi-defaults.js';
import { checkObject } from './check.js';
import type { CommandIo } from './command.js';
import { readSources } from './commands/validate.js';
import { displayName, type ManifestObject } from './manifests.js';

/** A usable VMI, or the lines that say why there is none. */
export type VmiInput =
  | { readonly ok: true; readonly vmi: VirtualMachineInstance; readonly objects: readonly Record<string, unknown>[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

const ROOT_KINDS = new Set(['VirtualMachineInstance', 'VirtualMachine']);

function withNamespace<T extends { metadata: { namespace?: string } }>(object: T): T {
  return { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace || 'default' } };
}

function isRoot(item: ManifestObject): boolean {
  return item.object['apiVersion'] === 'kubevirt.io/v1' && ROOT_KINDS.has(String(item.object['kind']));
}

function toVmi(item: ManifestObject): VirtualMachineInstance {
  if (item.object['kind'] === 'VirtualMachineInstance') return withNamespace(item.object as unknown as VirtualMachineInstance);
  return vmiFromVm(withNamespace(item.object as unknown as VirtualMachine));
}

/** Picks, checks and defaults the one VMI (or VM) among `items`. */
export function vmiFromManifests(items: readonly ManifestObject[], cfg: ClusterConfig = DEFAULT_CLUSTER_CONFIG): VmiInput {
  const roots = items.filter(isRoot);
  if (roots.length !== 1) {
    const found = roots.length === 0 ? 'none' : roots.map((r) => displayName(r.object)).join(', ');
    return { ok: false, problems: [`expected exactly one kubevirt.io/v1 VirtualMachineInstance or VirtualMachine, found ${found}`] };
  }
  const root = roots[0] as ManifestObject;
  const verdict = checkObject(root, createSchemaValidator(loadSchema));
  if (verdict.problems.length > 0) return { ok: false, problems: verdict.problems };
  let vmi: VirtualMachineInstance;
  try {
    vmi = toVmi(root);
  } catch (e: unknown) {
    if (e instanceof ConversionError) return { ok: false, problems: [`${displayName(root.object)}: ${e.message}`] };
    throw e;
  }
  const defaulted = applyVmiDefaults(vmi, cfg, { firmwareUuid: firmwareUuidFor(vmi.metadata.name ?? '') });
  const objects = items.filter((i) => i !== root).map((i) => i.object);
  return { ok: true, vmi: defaulted, objects, warnings: verdict.warnings };
}

/**
 * Reads `source` and returns its VMI, or the exit code when there is none: 2 when the source cannot
 * be read or parsed, 1 when it holds no usable VMI. Problems and warnings go to `io.err`.
 */
export async function loadVmi(source: string, io: CommandIo): Promise<Extract<VmiInput, { ok: true }> | number> {
  const { objects, errors } = await readSources([source], false);
  for (const e of errors) io.err(`error: ${e.source}: ${e.message}\n`);
  if (errors.length > 0) return 2;
  const input = vmiFromManifests(objects);
  if (!input.ok) {
    for (const p of input.problems) io.err(`${p}\n`);
    return 1;
  }
  for (const w of input.warnings) io.err(`Warning: ${w}\n`);
  return input;
}
