/**
 * virt-api, as other modules use it: `admit` (the whole admission chain, for the local store and
 * the CLI), the webhook table (for the HTTPS server and synth), lookups over plain objects, the
 * hand-written admission types, and the subresource API (VM start/stop/restart, VMI pause/unpause).
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
export { subresourceApi, type HandlerAnswer, type SubresourceApi, type SubresourceDeps, type VirtHandlerEndpoint } from './subresources/api.js';
export { VIRT_API_STATUS } from './subresources/state-change.js';
export { KUBEVIRT_NAMESPACE, kubevirtServiceAccount, type KubevirtComponent } from './validate/vmi-update-accounts.js';
export { NODE_NAME_EXTRA } from './validate/vmi-update.js';
export { parseSubresourceRequest, subresourcePath, SUBRESOURCES, type SubresourceRequest, type VmiSubresourceRequest, type VmSubresourceRequest } from './subresources/request.js';
