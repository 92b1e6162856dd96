/**
 * virt-api's subresource calls as they travel without HTTP (`kvt` → `kvt daemon`): which resource,
 * which object, which subresource, and the one option virtctl sends (a paused start). The same
 * requests KubeVirt serves as `PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/{resource}/{name}/{subresource}`;
 * checked field by field where they arrive, since they come from another process. Pure.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/api.go
 */

/** The subresources served, by resource (the VM lifecycle and the VMI pause of `virtctl`). */
export const SUBRESOURCES = {
  virtualmachineinstances: ['pause', 'unpause'],
  virtualmachines: ['start', 'stop', 'restart'],
} as const;

/** `virtctl pause|unpause vmi NAME`. */
export interface VmiSubresourceRequest {
  readonly resource: 'virtualmachineinstances';
  readonly namespace: string;
  readonly name: string;
  readonly subresource: (typeof SUBRESOURCES.virtualmachineinstances)[number];
}

/** `virtctl start|stop|restart NAME`; `paused` is StartOptions' (start only). */
export interface VmSubresourceRequest {
  readonly resource: 'virtualmachines';
  readonly namespace: string;
  readonly name: string;
  readonly subresource: (typeof SUBRESOURCES.virtualmachines)[number];
  readonly paused?: boolean;
}

/** One subresource call. */
export type SubresourceRequest = VmiSubresourceRequest | VmSubresourceRequest;

/** A call's target: a VM's or VMI's subresource (the lifecycle calls above, or the console). */
export interface SubresourceTarget {
  readonly resource: SubresourceRequest['resource'];
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
}

/** The call's path in KubeVirt's API (what clients request through the API server; logs and messages). */
export function subresourcePath(request: SubresourceTarget): string {
  const at = `namespaces/${encodeURIComponent(request.namespace)}/${request.resource}/${encodeURIComponent(request.name)}/${request.subresource}`;
  return `/apis/subresources.kubevirt.io/v1/${at}`;
}

const FIELDS: ReadonlySet<string> = new Set(['resource', 'namespace', 'name', 'subresource', 'paused']);

type Fields = Readonly<Record<string, unknown>>;

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
const pick = <T extends string>(values: readonly T[], value: unknown): T | undefined => values.find((v) => v === value);

function isResource(value: unknown): value is keyof typeof SUBRESOURCES {
  return value === 'virtualmachineinstances' || value === 'virtualmachines';
}

/** Why the resource or subresource is wrong, or undefined. */
function targetProblem(fields: Fields): string | undefined {
  const { resource, subresource } = fields;
  if (!isResource(resource)) return `"resource" must be one of ${Object.keys(SUBRESOURCES).join(', ')}`;
  const allowed: readonly string[] = SUBRESOURCES[resource];
  return pick(allowed, subresource) === undefined ? `"subresource" of ${resource} must be one of ${allowed.join(', ')}` : undefined;
}

/** Why the other fields are wrong, or undefined. */
function fieldProblem(fields: Fields): string | undefined {
  const unknown = Object.keys(fields).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)}`;
  if (!nonEmpty(fields['namespace'])) return '"namespace" must be a non-empty string';
  if (!nonEmpty(fields['name'])) return '"name" must be a non-empty string';
  const paused = fields['paused'];
  if (paused === undefined) return undefined;
  if (typeof paused !== 'boolean') return '"paused" must be true or false';
  return fields['subresource'] === 'start' ? undefined : '"paused" is an option of start only';
}

/** The request of fields that passed both checks. */
function requestOf(fields: Fields): SubresourceRequest {
  const target = { namespace: String(fields['namespace']), name: String(fields['name']) };
  const vmi = pick(SUBRESOURCES.virtualmachineinstances, fields['subresource']);
  if (fields['resource'] === 'virtualmachineinstances' && vmi !== undefined) return { resource: 'virtualmachineinstances', ...target, subresource: vmi };
  const vm = pick(SUBRESOURCES.virtualmachines, fields['subresource']) ?? 'start';
  return { resource: 'virtualmachines', ...target, subresource: vm, ...(fields['paused'] === true ? { paused: true } : {}) };
}

/** A subresource request read from an untrusted value (every field checked, none unknown), or why it is not one. */
export function parseSubresourceRequest(value: unknown): SubresourceRequest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a subresource request must be a JSON object';
  const fields = value as Fields;
  return targetProblem(fields) ?? fieldProblem(fields) ?? requestOf(fields);
}
