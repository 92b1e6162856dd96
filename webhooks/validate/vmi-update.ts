/**
 * KubeVirt's VMI UPDATE admission (C48–C55), in its order, returning the first failing check:
 * with the NodeRestriction gate, virt-handler may only touch VMIs on its own node (C48–C50); only
 * KubeVirt's service accounts may change the spec, and then only along the hotplug path (C51–C54);
 * nobody else may change the reserved `kubevirt.io/` labels (C55). Metadata and status changes are
 * otherwise free. KubeVirt gives these causes no field.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-update-admitter.go
 */
import { isDeepStrictEqual } from 'node:util';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import type { AdmissionContext, RequestUser } from '../context.js';
import { reservedLabels } from './vm-metadata.js';
import { isHandlerServiceAccount, isKubevirtServiceAccount } from './vmi-update-accounts.js';
import { hotplugCauses } from './vmi-update-hotplug.js';

type Vmi = Readonly<VirtualMachineInstance>;

/** The user-info extra key a bound service account token carries its pod's node name under. */
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
/** The feature gate that confines virt-handler to its own node's VMIs. */
export const NODE_RESTRICTION_GATE = 'NodeRestriction';

/** The requester's node, from AdmissionReview `userInfo.extra` (which RequestUser may carry). */
function nodeOf(user: RequestUser | undefined): string | undefined {
  const extra = (user as { readonly extra?: Readonly<Record<string, readonly string[] | undefined>> } | undefined)?.extra;
  return extra?.[NODE_NAME_EXTRA]?.[0];
}

const restricted = (message: string): Cause => cause(CauseType.Invalid, '', `node restriction: ${message}`);

/** Whether the request comes from virt-handler while the NodeRestriction gate is on. */
function nodeBound(ctx: AdmissionContext): boolean {
  return ctx.cfg.featureGates.includes(NODE_RESTRICTION_GATE) && isHandlerServiceAccount(ctx.user?.username);
}

function ownerProblem(node: string, old: Vmi): string | undefined {
  const source = old.status?.nodeName ?? '';
  const target = old.status?.migrationState?.targetNode ?? '';
  if (node === source || node === target) return undefined;
  const migrating = target === '' ? '' : ` (migrating to ${JSON.stringify(target)})`;
  return `virt-handler on node ${JSON.stringify(node)} may only change VMIs it owns; this one runs on ${JSON.stringify(source)}${migrating}`;
}

function targetProblem(node: string, vmi: Vmi, old: Vmi): string | undefined {
  const newTarget = vmi.status?.migrationState?.targetNode ?? '';
  if ((old.status?.migrationState?.targetNode ?? '') !== '' || newTarget === '') return undefined;
  return `virt-handler on node ${JSON.stringify(node)} may not set the migration target node (to ${JSON.stringify(newTarget)})`;
}

/** C48–C50: a node-bound virt-handler may only change VMIs on its node and may not pick a migration target. */
function nodeRestrictionCauses(vmi: Vmi, old: Vmi, ctx: AdmissionContext): Cause[] {
  if (!nodeBound(ctx)) return [];
  const node = nodeOf(ctx.user);
  const problem = node === undefined
    ? `the virt-handler request carries no node name (user extra ${NODE_NAME_EXTRA})`
    : ownerProblem(node, old) ?? targetProblem(node, vmi, old);
  return problem === undefined ? [] : [restricted(problem)];
}

/** C51 for others; C52–C54 for KubeVirt's service accounts. */
function specCauses(vmi: Vmi, old: Vmi, ctx: AdmissionContext): Cause[] {
  if (isDeepStrictEqual(vmi.spec, old.spec)) return [];
  if (isKubevirtServiceAccount(ctx.user?.username)) return hotplugCauses(vmi, old, ctx);
  return [cause(CauseType.NotSupported, '', 'update of VMI object is restricted: its spec may only be changed by KubeVirt\'s components (through subresources such as hotplug); change the VirtualMachine instead')];
}

/** C55: the reserved labels, with their values, may not change unless a KubeVirt component asks. */
function reservedLabelCauses(vmi: Vmi, old: Vmi, ctx: AdmissionContext): Cause[] {
  if (isKubevirtServiceAccount(ctx.user?.username)) return [];
  const [now, before] = [reservedLabels(vmi.metadata.labels), reservedLabels(old.metadata.labels)];
  if (isDeepStrictEqual(now, before)) return [];
  const changed = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((k) => now[k] !== before[k]);
  return [cause(CauseType.NotSupported, '', `modification of the following reserved kubevirt.io/ labels on a VMI object is prohibited: ${changed.join(', ')}`)];
}

/** The first failing check of KubeVirt's VMI update admitter, or none. */
export function validateVmiUpdate(vmi: Vmi, old: Vmi, ctx: AdmissionContext): Cause[] {
  for (const check of [nodeRestrictionCauses, specCauses, reservedLabelCauses]) {
    const causes = check(vmi, old, ctx);
    if (causes.length > 0) return causes;
  }
  return [];
}
