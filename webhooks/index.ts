/**
 * Admission, as other modules use it: `admit` (the whole chain, for the local store and the CLI),
 * the webhook table (for the HTTPS server and synth), lookups over plain objects, and the
 * hand-written admission types.
 */
export { admit, kindOf, type AdmitResult } from './admission.js';
export type { AdmissionHandler, AdmissionInput, AdmissionOutcome, DenialStatus } from './admission-handlers.js';
export { lookupsFromObjects, namespaceOf } from './admission-lookups.js';
export { cause, CauseType, type Cause } from './cause.js';
export { NO_LOOKUPS, type AdmissionContext, type AdmissionIds, type AdmissionLookups, type MutationResult, type RequestUser } from './context.js';
export { routesFor, WEBHOOK_ROUTES, type RegisteredWebhook } from './registry.js';
export type {
  AdmissionOperation, AdmissionRequest, AdmissionResponse, AdmissionReviewResponse, WebhookRoute,
} from './review-types.js';
