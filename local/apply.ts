/**
 * `kvt apply` and `kvt run`'s apply step: each object goes to the API by server-side apply (field
 * manager `kvt`, as `kubectl apply --server-side`), in an order that lets dependencies exist first
 * (presets, instancetypes, preferences, Secrets and ConfigMaps before the VMs that use them). The
 * result line reads like kubectl's (`virtualmachine.kubevirt.io/demo created`); a refusal keeps the
 * API's message and each cause with its field.
 */
import { ApiError } from '../core/errors.js';
import type { FieldValidation, KubeApi, KubeObject } from '../core/kube.js';
import { jsonEqual } from '../core/json-patch.js';
import { isNotFound } from '../core/errors.js';

/** The field manager of `kvt apply`. */
export const APPLY_FIELD_MANAGER = 'kvt';

/** One object to apply, with where it came from (for error lines). */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly source: string;
}

/** What happened to one object. */
export type ApplyOutcome =
  | { readonly ok: true; readonly object: KubeObject; readonly line: string }
  | { readonly ok: false; readonly line: string; readonly error: unknown };

/** Kinds that other objects refer to: applied first, in this order. */
const FIRST = [
  'Namespace', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'VirtualMachineClusterInstancetype', 'VirtualMachineClusterPreference',
  'VirtualMachineInstancetype', 'VirtualMachinePreference', 'VirtualMachineInstancePreset',
];

/** The objects in apply order (dependencies first; otherwise as given). */
export function applyOrder<T extends { readonly kind?: unknown }>(objects: readonly T[]): T[] {
  const rank = (o: T): number => {
    const at = FIRST.indexOf(String(o.kind));
    return at === -1 ? FIRST.length : at;
  };
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map(({ o }) => o);
}

/** kubectl's `resource.group` of a type (`virtualmachine.kubevirt.io`, `configmap`). */
export function resourceKind(type: { readonly apiVersion: string; readonly kind: string }): string {
  const slash = type.apiVersion.indexOf('/');
  return `${type.kind.toLowerCase()}${slash === -1 ? '' : `.${type.apiVersion.slice(0, slash)}`}`;
}

/** kubectl's `resource.group/name` of an object (`virtualmachine.kubevirt.io/demo`, `configmap/settings`). */
export function resourceName(object: Readonly<KubeObject>): string {
  return `${resourceKind(object)}/${object.metadata.name ?? ''}`;
}

/** kubectl's report of an API error, with one line per cause naming its field. */
export function describeApiError(error: unknown, verb: string, source: string): string {
  if (!(error instanceof ApiError)) return `error: ${verb} "${source}": ${error instanceof Error ? error.message : String(error)}`;
  // No daemon to talk to: its message says how to start one.
  if (error.status === 503 && error.reason === 'ServiceUnavailable') return `error: ${error.message}`;
  const head = `Error from server (${error.reason}): error when ${verb} "${source}": ${error.message}`;
  const causes = error.causes.filter((c) => !error.message.includes(`${c.field}: ${c.message}`)).map((c) => `  - ${c.field === '' ? '' : `${c.field}: `}${c.message}`);
  return [head, ...causes].join('\n');
}

async function existing(kube: KubeApi, object: Readonly<KubeObject>): Promise<KubeObject | undefined> {
  try {
    return await kube.get(object, object.metadata.namespace, object.metadata.name ?? '');
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * How one object is applied: the API's field validation, and a dry run (`client`: nothing is sent
 * but the read of the object; `server`: the API admits the write and stores nothing).
 */
export interface ApplyOptions {
  readonly fieldValidation?: FieldValidation;
  readonly dryRun?: 'client' | 'server';
  /** Where the API's admission warnings of the write go (kubectl prints them as `Warning: …`). */
  readonly warnings?: string[];
}

const DRY_RUN_SUFFIX = { client: ' (dry run)', server: ' (server dry run)' } as const;

/** What a server dry run changed: nothing when the answer is the stored object. */
function serverDryRunVerb(before: KubeObject | undefined, after: KubeObject): string {
  if (before === undefined) return 'created';
  return jsonEqual(before, after) ? 'unchanged' : 'configured';
}

const applyTarget = (object: Readonly<KubeObject>): { name: string; namespace?: string } =>
  ({ name: object.metadata.name ?? '', ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }) });

const applyWrite = (options: ApplyOptions): { fieldManager: string; force: true; fieldValidation?: FieldValidation; warnings?: string[] } => ({
  fieldManager: APPLY_FIELD_MANAGER, force: true,
  ...(options.fieldValidation === undefined ? {} : { fieldValidation: options.fieldValidation }),
  ...(options.warnings === undefined ? {} : { warnings: options.warnings }),
});

/** A dry run's outcome: a client one sends nothing; a server one is admitted and not stored. */
async function dryRunApply(kube: KubeApi, object: Readonly<KubeObject>, before: KubeObject | undefined, options: ApplyOptions): Promise<ApplyOutcome> {
  if (options.dryRun === 'client') return { ok: true, object, line: `${resourceName(object)} ${before === undefined ? 'created' : 'configured'}${DRY_RUN_SUFFIX.client}` };
  const answer = await kube.patch<KubeObject>(object, applyTarget(object), { type: 'apply', body: object }, { ...applyWrite(options), dryRun: true });
  return { ok: true, object: answer, line: `${resourceName(answer)} ${serverDryRunVerb(before, answer)}${DRY_RUN_SUFFIX.server}` };
}

/** Applies one object (it must have a name). */
export async function applyObject(kube: KubeApi, object: Readonly<KubeObject>, source: string, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  if (object.metadata.name === undefined || object.metadata.name === '') {
    return { ok: false, line: `error: ${object.kind} in "${source}": metadata.name: Required value: kvt apply needs a name`, error: undefined };
  }
  try {
    const before = await existing(kube, object);
    if (options.dryRun !== undefined) return await dryRunApply(kube, object, before, options);
    const after = await kube.patch<KubeObject>(object, applyTarget(object), { type: 'apply', body: object }, applyWrite(options));
    const verb = before === undefined ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
    return { ok: true, object: after, line: `${resourceName(after)} ${verb}` };
  } catch (e) {
    return { ok: false, line: describeApiError(e, 'applying', source), error: e };
  }
}
