/**
 * The webhook table: every path KubeVirt's virt-api serves, with the webhook's name, type, the kind
 * it reviews (group, version and plural from crd-gen's KINDS, never guessed), the operations
 * KubeVirt registers it for, and its pure handler. The HTTPS server routes by it, synth turns it
 * into webhook configurations, and `admit` chains its handlers: one table, one behaviour.
 * @see ../../shared/design/KUBEVIRT-REFERENCE.md "KubeVirt's webhook paths"
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-operator/resource/generate/components/webhooks.go
 */
import { KINDS, type KindName } from '../crd-gen/index.js';
import { mutateVmiHandler, validateVmiCreateHandler, type AdmissionHandler } from './admission-handlers.js';
import {
  mutateVmHandler, validateInstancetypeHandler, validatePreferenceHandler, validatePresetHandler, validateReplicaSetHandler, validateVmHandler,
  validateVmiUpdateHandler,
} from './admission-handlers-kinds.js';
import { createReview } from './review.js';
import type { AdmissionOperation, WebhookRoute } from './review-types.js';

/** A route of the table, with the handler its `review` wraps (what `admit` runs). */
export interface RegisteredWebhook extends WebhookRoute {
  readonly kind: KindName;
  readonly handler: AdmissionHandler;
}

interface RouteSpec {
  readonly path: string;
  readonly name: string;
  readonly type: 'mutating' | 'validating';
  readonly kind: KindName;
  readonly operations: readonly AdmissionOperation[];
  readonly handler: AdmissionHandler;
}

const WRITES: readonly AdmissionOperation[] = ['CREATE', 'UPDATE'];

/** KubeVirt's registrations, in the reference's order. */
const SPECS: readonly RouteSpec[] = [
  { path: '/virtualmachineinstances-mutate', name: 'virtualmachineinstances-mutator.kubevirt.io', type: 'mutating', kind: 'VirtualMachineInstance', operations: WRITES, handler: mutateVmiHandler },
  { path: '/virtualmachineinstances-validate-create', name: 'virtualmachineinstances-create-validator.kubevirt.io', type: 'validating', kind: 'VirtualMachineInstance', operations: ['CREATE'], handler: validateVmiCreateHandler },
  { path: '/virtualmachineinstances-validate-update', name: 'virtualmachineinstances-update-validator.kubevirt.io', type: 'validating', kind: 'VirtualMachineInstance', operations: ['UPDATE'], handler: validateVmiUpdateHandler },
  { path: '/virtualmachines-mutate', name: 'virtualmachines-mutator.kubevirt.io', type: 'mutating', kind: 'VirtualMachine', operations: WRITES, handler: mutateVmHandler },
  { path: '/virtualmachines-validate', name: 'virtualmachine-validator.kubevirt.io', type: 'validating', kind: 'VirtualMachine', operations: WRITES, handler: validateVmHandler },
  { path: '/virtualmachinereplicaset-validate', name: 'virtualmachinereplicaset-validator.kubevirt.io', type: 'validating', kind: 'VirtualMachineInstanceReplicaSet', operations: WRITES, handler: validateReplicaSetHandler },
  { path: '/vmipreset-validate', name: 'virtualmachinepreset-validator.kubevirt.io', type: 'validating', kind: 'VirtualMachineInstancePreset', operations: WRITES, handler: validatePresetHandler },
  {
    path: '/virtualmachineinstancetypes-validate', name: 'virtualmachineinstancetype-validator.instancetype.kubevirt.io', type: 'validating',
    kind: 'VirtualMachineInstancetype', operations: WRITES, handler: validateInstancetypeHandler('VirtualMachineInstancetype'),
  },
  {
    path: '/virtualmachineclusterinstancetypes-validate', name: 'virtualmachineclusterinstancetype-validator.instancetype.kubevirt.io', type: 'validating',
    kind: 'VirtualMachineClusterInstancetype', operations: WRITES, handler: validateInstancetypeHandler('VirtualMachineClusterInstancetype'),
  },
  {
    path: '/virtualmachinepreferences-validate', name: 'virtualmachinepreference-validator.instancetype.kubevirt.io', type: 'validating',
    kind: 'VirtualMachinePreference', operations: WRITES, handler: validatePreferenceHandler('VirtualMachinePreference'),
  },
  {
    path: '/virtualmachineclusterpreferences-validate', name: 'virtualmachineclusterpreference-validator.instancetype.kubevirt.io', type: 'validating',
    kind: 'VirtualMachineClusterPreference', operations: WRITES, handler: validatePreferenceHandler('VirtualMachineClusterPreference'),
  },
];

function toRoute(spec: RouteSpec): RegisteredWebhook {
  const info = KINDS[spec.kind];
  const target = { path: spec.path, type: spec.type, group: info.group, version: info.version, kind: spec.kind, operations: spec.operations };
  return { ...target, name: spec.name, plural: info.plural, handler: spec.handler, review: createReview(target, spec.handler) };
}

/** Every webhook kubevirt-ts serves, in KubeVirt's paths. */
export const WEBHOOK_ROUTES: readonly RegisteredWebhook[] = SPECS.map(toRoute);

/**
 * The handlers that answer one operation on one kind, mutating ones first (in table order), then
 * validating ones: the order the API server calls them in.
 */
export function routesFor(kind: KindName, operation: AdmissionOperation): RegisteredWebhook[] {
  const matching = WEBHOOK_ROUTES.filter((r) => r.kind === kind && r.operations.includes(operation));
  return [...matching.filter((r) => r.type === 'mutating'), ...matching.filter((r) => r.type === 'validating')];
}
