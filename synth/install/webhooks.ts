/**
 * The MutatingWebhookConfiguration and ValidatingWebhookConfiguration, one webhook per route of
 * the webhooks registry (its name, path, kind and operations), all calling the virt-api Service.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { KINDS } from '../../crd-gen/index.js';
import { WEBHOOK_ROUTES, type RegisteredWebhook } from '../../webhooks/registry.js';
import { PART_OF } from './common.js';
import { VIRT_API } from './virt-api.js';

/** Names of the two configurations. */
export const WEBHOOK_CONFIGURATION_NAMES = { mutating: 'kubevirt-ts-mutator', validating: 'kubevirt-ts-validator' } as const;

/** How the API server learns to trust virt-api. */
export type CaSource =
  | { readonly kind: 'bundle'; readonly caCertPem: string }
  | { readonly kind: 'cert-manager'; readonly certificate: string };

/** Props of {@link KubevirtWebhooks}. */
export interface KubevirtWebhooksProps {
  readonly namespace: string;
  readonly timeoutSeconds: number;
  readonly ca: CaSource;
}

/** The webhook entry of one registry route (the shape both configuration kinds share). */
export function webhookEntry(route: RegisteredWebhook, props: KubevirtWebhooksProps): k8s.ValidatingWebhook {
  const info = KINDS[route.kind];
  return {
    name: route.name,
    admissionReviewVersions: ['v1'],
    clientConfig: {
      service: { namespace: props.namespace, name: VIRT_API, path: route.path, port: 443 },
      ...(props.ca.kind === 'bundle' ? { caBundle: Buffer.from(props.ca.caCertPem).toString('base64') } : {}),
    },
    rules: [{ apiGroups: [route.group], apiVersions: [route.version], operations: [...route.operations], resources: [route.plural], scope: info.namespaced ? 'Namespaced' : 'Cluster' }],
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    sideEffects: 'None',
    timeoutSeconds: props.timeoutSeconds,
    // Objects in the install namespace never wait on virt-api (it cannot admit its own rollout).
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [props.namespace] }] },
  };
}

/** The two configurations ("Mutating", "Validating"). */
export class KubevirtWebhooks extends Construct {
  public constructor(scope: Construct, id: string, props: KubevirtWebhooksProps) {
    super(scope, id);
    const annotations = props.ca.kind === 'cert-manager' ? { 'cert-manager.io/inject-ca-from': `${props.namespace}/${props.ca.certificate}` } : undefined;
    const metadata = (name: string): k8s.ObjectMeta => ({ name, labels: { ...PART_OF }, ...(annotations === undefined ? {} : { annotations }) });
    const entries = (type: RegisteredWebhook['type']): k8s.ValidatingWebhook[] => WEBHOOK_ROUTES.filter((r) => r.type === type).map((r) => webhookEntry(r, props));
    new k8s.KubeMutatingWebhookConfiguration(this, 'Mutating', { metadata: metadata(WEBHOOK_CONFIGURATION_NAMES.mutating), webhooks: entries('mutating') });
    new k8s.KubeValidatingWebhookConfiguration(this, 'Validating', { metadata: metadata(WEBHOOK_CONFIGURATION_NAMES.validating), webhooks: entries('validating') });
  }
}
