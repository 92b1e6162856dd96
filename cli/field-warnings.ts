/**
 * What kubectl prints for a write made with `--validate=warn`: the API server's warnings
 * (`Warning: unknown field "spec.x"`). The local control plane's protocol carries no warnings, so
 * kvt reads them from our kinds' schemas itself, which is what the API server checks them against.
 * The schema validator is loaded only when asked (it compiles the CRD schemas).
 */
import type { KubeObject } from '../core/kube.js';
import { lookupKind } from '../crd-gen/index.js';

/** `Warning: unknown field "…"` lines for the fields of `object` its kind's schema does not declare (our kinds only). */
export async function unknownFieldWarnings(object: Readonly<KubeObject>): Promise<string[]> {
  const kind = lookupKind(object.apiVersion, object.kind);
  if (kind === undefined) return [];
  const { undeclaredFields } = await import('../webhooks/admission-schema.js');
  return undeclaredFields(kind, object).map((f) => `Warning: unknown field ${JSON.stringify(f)}`);
}
