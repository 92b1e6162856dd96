/**
 * One pure handler per webhook: what it answers for an object (and the old object on UPDATE), as
 * a value. The routes of webhooks/registry.ts wrap them in AdmissionReview envelopes, and `admit`
 * chains them (mutating, then validating) for the local store and `kvt validate`, so every caller
 * gets the same answer. This file holds the shared machinery and the VMI handlers;
 * admission-handlers-kinds.ts holds the other kinds'.
 */
import type { KindName, VirtualMachineInstance } from '../crd-gen/index.js';
import { checkSchema } from './admission-schema.js';
import { capCauses, type Cause } from './cause.js';
import type { AdmissionContext, MutationResult } from './context.js';
import { mutateVmiOnCreate } from './mutate/vmi-mutator.js';
import type { AdmissionOperation } from './review-types.js';
import { validateVmiCreate } from './validate/vmi.js';

/** What a handler is asked about. */
export interface AdmissionInput {
  /** The object being written (CREATE, UPDATE); undefined on DELETE. */
  readonly object: unknown;
  /** The stored object (UPDATE, DELETE). */
  readonly oldObject: unknown;
  readonly operation: AdmissionOperation;
}

/** A denial as `AdmissionResponse.status` carries it. */
export interface DenialStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: { readonly causes: readonly Cause[] };
}

/** A handler's answer: the (possibly mutated) object, or the denial; warnings either way. */
export type AdmissionOutcome =
  | { readonly allowed: true; readonly object: unknown; readonly warnings: readonly string[] }
  | { readonly allowed: false; readonly status: DenialStatus; readonly warnings: readonly string[] };

/** One webhook's logic. Pure; never throws for any input of the right kind. */
export type AdmissionHandler = (input: AdmissionInput, ctx: AdmissionContext) => AdmissionOutcome;

const HTTP_REASONS: Readonly<Record<number, string>> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 422: 'Invalid', 500: 'InternalError' };

/** A cause as one line of a summary: its message, with the field in front unless the message already names it. */
export function causeLine(c: Cause): string {
  return c.field === '' || c.message.includes(c.field) ? c.message : `${c.field}: ${c.message}`;
}

/**
 * KubeVirt's denial: every cause, and a message made of all of them joined by ", ", as KubeVirt
 * joins its cause messages (a message that does not name its field gets the field in front).
 * Bounded: past {@link capCauses}'s limits the first causes and a count of the rest.
 */
export function denialStatus(all: readonly Cause[], options: { readonly code?: number; readonly message?: string } = {}): DenialStatus {
  const causes = capCauses(all);
  const code = options.code ?? 422;
  const message = options.message ?? (causes.map(causeLine).join(', ') || 'the object was refused');
  return { code, reason: HTTP_REASONS[code] ?? 'Invalid', message, ...(causes.length > 0 || code === 422 ? { details: { causes } } : {}) };
}

/** An outcome from causes: allowed with the object unchanged when there are none. */
export function fromCauses(object: unknown, causes: readonly Cause[], warnings: readonly string[] = []): AdmissionOutcome {
  return causes.length === 0 ? { allowed: true, object, warnings } : { allowed: false, status: denialStatus(causes), warnings };
}

/** An outcome from a mutation result, with `warnings` (the schema's) in front of the mutation's. */
export function fromMutation<T>(result: MutationResult<T>, warnings: readonly string[] = []): AdmissionOutcome {
  if (result.ok) return { allowed: true, object: result.object, warnings: [...warnings, ...result.warnings] };
  const options = { ...(result.code === undefined ? {} : { code: result.code }), ...(result.message === undefined ? {} : { message: result.message }) };
  return { allowed: false, status: denialStatus(result.causes, options), warnings };
}

/** Allowed, unchanged: what a webhook answers for an operation it has nothing to say about. */
export function unchanged(input: AdmissionInput): AdmissionOutcome {
  return { allowed: true, object: input.object, warnings: [] };
}

/**
 * The schema check in front of a handler: a denial with the schema causes, or `next` run on the
 * object typed as the kind (the schema guarantees the shape), its warnings after the schema's.
 */
export function afterSchema<T>(kind: KindName, input: AdmissionInput, next: (object: T) => AdmissionOutcome): AdmissionOutcome {
  const schema = checkSchema(kind, input.object);
  if (schema.causes.length > 0) return { allowed: false, status: denialStatus(schema.causes), warnings: schema.warnings };
  const outcome = next(input.object as T);
  return { ...outcome, warnings: [...schema.warnings, ...outcome.warnings] };
}

/** The old object of an UPDATE, typed (the API server sent the stored, schema-valid object). */
export function oldOf<T>(input: AdmissionInput): T | undefined {
  return input.oldObject === undefined || input.oldObject === null ? undefined : (input.oldObject as T);
}

/** `/virtualmachineinstances-mutate`: presets and defaults on CREATE; nothing on UPDATE (our VMI has a status subresource). */
export const mutateVmiHandler: AdmissionHandler = (input, ctx) => {
  if (input.operation !== 'CREATE') return unchanged(input);
  return afterSchema<VirtualMachineInstance>('VirtualMachineInstance', input, (vmi) => fromMutation(mutateVmiOnCreate(vmi, ctx)));
};

/** `/virtualmachineinstances-validate-create`: schema, then every VMI spec rule. */
export const validateVmiCreateHandler: AdmissionHandler = (input, ctx) => {
  if (input.operation !== 'CREATE') return unchanged(input);
  const warnings = checkSchema('VirtualMachineInstance', input.object).warnings;
  return fromCauses(input.object, validateVmiCreate(input.object as VirtualMachineInstance, ctx), warnings);
};
