/**
 * The guest's DNS identity: `spec.hostname` must be a DNS-1123 label and `spec.subdomain` a
 * DNS-1123 subdomain, as the pod that runs the guest inherits both (rules A01, A02).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateHostNameNotConformingToDNSLabelRules, validateSubdomainDNSSubdomainRules)
 */
import { dnsLabelProblem, dnsSubdomainProblem } from '../../../core/paths.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';

/** A01, A02: hostname and subdomain follow Kubernetes' DNS rules (empty means unset). */
export const validateHostname: SpecValidator = (spec, path) => {
  const out: Cause[] = [];
  const hostname = path.child('hostname');
  const labelProblem = spec.hostname ? dnsLabelProblem(spec.hostname) : undefined;
  if (labelProblem !== undefined) {
    out.push(cause(CauseType.Invalid, hostname, `${hostname} ${JSON.stringify(spec.hostname)} does not conform to the Kubernetes DNS_LABEL rules: it ${labelProblem}`));
  }
  const subdomain = path.child('subdomain');
  const subdomainProblem = spec.subdomain ? dnsSubdomainProblem(spec.subdomain) : undefined;
  if (subdomainProblem !== undefined) {
    out.push(cause(CauseType.Invalid, subdomain, `${subdomain} ${JSON.stringify(spec.subdomain)} does not conform to the Kubernetes DNS_SUBDOMAIN rules: it ${subdomainProblem}`));
  }
  return out;
};
