/**
 * Where a VM's persistent state lives on this machine (today: its persistent TPM's swtpm state),
 * the local counterpart of KubeVirt's backend-storage PVC: one directory per VM, kept across
 * restarts of its VMIs and removed when the VM is deleted. A VMI without a VM keeps it for its own
 * life. Shared by the launcher (which creates and uses it) and the local control plane (which
 * removes it on deletion). Pure: paths from identities, every segment checked before it becomes one.
 * @see https://kubevirt.io/user-guide/compute/persistent_tpm_and_uefi_state/
 */
import { join } from 'node:path';
import type { ObjectMetadata } from '../core/kube.js';
import { controllerOf } from '../core/owner.js';
import { ConversionError } from '../core/errors.js';
import { dnsLabelProblem, dnsSubdomainProblem } from '../core/paths.js';
import { Gvk } from '../crd-gen/index.js';

/** The object whose deletion ends the state: the VM that controls a VMI, else the VMI itself. */
export interface StateOwner {
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The directory under the data directory that holds every VM's state. */
export const VM_STATE_DIR = 'vm-state';

/** Kubernetes uids are UUIDs; anything else never becomes a path segment. */
const UID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The owner of a VMI's persistent state: its controlling VirtualMachine when it has one. */
export function stateOwnerOf(vmi: { readonly metadata: Readonly<ObjectMetadata> }): StateOwner {
  const namespace = vmi.metadata.namespace ?? 'default';
  const ref = controllerOf(vmi);
  if (ref !== undefined && ref.kind === Gvk.VirtualMachine.kind) return { kind: 'VirtualMachine', namespace, name: ref.name, uid: ref.uid };
  return { kind: 'VirtualMachineInstance', namespace, name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' };
}

function checked(field: string, value: string, problem: string | undefined): string {
  if (problem !== undefined) throw new ConversionError(field, `cannot keep persistent state: ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** `<dataDir>/vm-state`. */
export function vmStateRoot(dataDir: string): string {
  return join(dataDir, VM_STATE_DIR);
}

/**
 * `<dataDir>/vm-state/<namespace>/<name>/<uid>`: readable by name, unique by uid (a VM deleted and
 * created again under the same name starts with fresh state). Refuses a segment that is not a
 * Kubernetes namespace, name or uid.
 */
export function vmStateDir(dataDir: string, owner: StateOwner): string {
  const namespace = checked('metadata.namespace', owner.namespace, dnsLabelProblem(owner.namespace));
  const name = checked('metadata.name', owner.name, dnsSubdomainProblem(owner.name));
  const uid = checked('metadata.uid', owner.uid, UID.test(owner.uid) ? undefined : 'is not a Kubernetes uid (a UUID)');
  return join(vmStateRoot(dataDir), namespace, name, uid);
}

/** The swtpm state directory inside a VM's state directory (libvirt's per-domain swtpm directory). */
export function tpmStateDir(stateDir: string): string {
  return join(stateDir, 'swtpm');
}
