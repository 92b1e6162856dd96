/**
 * The admission.k8s.io/v1 AdmissionReview as it goes over the wire, and the shape of one webhook
 * route: the table (webhooks/registry.ts) that the HTTPS server routes by and synth turns into
 * webhook configurations.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request
 */
import type { AdmissionContext } from './context.js';
import type { Cause } from './cause.js';

/** An operation admission sees. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** `request` of an AdmissionReview, as far as we read it. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: AdmissionOperation;
  readonly userInfo?: { readonly username?: string; readonly groups?: readonly string[] };
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
}

/** `response` of an AdmissionReview. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: {
    readonly code: number;
    readonly reason?: string;
    readonly message: string;
    readonly details?: { readonly causes: readonly Cause[] };
  };
  readonly patchType?: 'JSONPatch';
  /** Base64 of the RFC 6902 patch. */
  readonly patch?: string;
  readonly warnings?: readonly string[];
}

/** A whole AdmissionReview answer. */
export interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

/** One webhook of the registry. */
export interface WebhookRoute {
  /** KubeVirt's path, e.g. `/virtualmachineinstances-mutate`. */
  readonly path: string;
  /** The webhook's name in its configuration, e.g. `virtualmachineinstances-mutator.kubevirt.io`. */
  readonly name: string;
  readonly type: 'mutating' | 'validating';
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly operations: readonly AdmissionOperation[];
  /**
   * Answers one request body (any JSON value: the server only parsed it). Never throws: a body that
   * is not a valid AdmissionReview gets a denying response that says why (with the uid if any).
   */
  review(body: unknown, ctx: AdmissionContext): AdmissionReviewResponse;
}
