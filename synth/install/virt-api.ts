/**
 * virt-api: `kvt virt-api`, the HTTPS admission webhook server and the aggregated subresource API
 * (subresource-api.ts). A Deployment of 2 replicas spread over nodes, a PodDisruptionBudget that
 * keeps one up, and the Service on 443 the webhook configurations and the APIService call.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import {
  ComponentIdentity, componentLabels, fieldEnv, KVT_UID, kvtContainer, resourceRequirements, RESTRICTED_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME, type RbacTable,
} from './common.js';
import { ApiGroups } from '../../crd-gen/index.js';
import { SubresourceApi } from './subresource-api.js';
import type { CaSource } from './webhooks.js';

/** The component's name: its ServiceAccount, Deployment and Service. */
export const VIRT_API = 'virt-api';

/** The Secret holding the serving certificate (`tls.crt`, `tls.key`). */
export const VIRT_API_CERT_SECRET = 'virt-api-certs';

/** The Secret holding virt-api's client certificate for virt-handler (`tls.crt`, `tls.key`, `ca.crt`). */
export const VIRT_API_HANDLER_CLIENT_SECRET = 'virt-api-handler-client-certs';

const CERT_DIR = '/etc/virt-api/certs';
const HANDLER_CLIENT_DIR = '/etc/virt-api/handler-client';

/**
 * virt-api's RBAC: what its informer lookups read (KubeVirt's virt-api does the same), and what the
 * subresource API reads and writes. Delegated authorization (SubjectAccessReviews) and the
 * front-proxy settings come from Kubernetes' own roles (subresource-api.ts).
 */
export const VIRT_API_RULES: RbacTable = {
  cluster: [
    // The VMI mutating webhook applies matching presets of the VMI's namespace.
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachineinstancepresets'], verbs: ['get', 'list', 'watch'], why: 'presets applied by the VMI mutator' },
    // The VM mutator and validator resolve the instancetype and preference a VM names.
    {
      apiGroups: [ApiGroups.instancetype],
      resources: ['virtualmachineinstancetypes', 'virtualmachineclusterinstancetypes', 'virtualmachinepreferences', 'virtualmachineclusterpreferences'],
      verbs: ['get', 'list', 'watch'],
      why: 'instancetypes and preferences a VM names',
    },
    // Instancetype/preference inference reads the labels of the volume a VM infers from.
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch'], why: 'inference labels of PVCs' },
    { apiGroups: [ApiGroups.cdi], resources: ['datavolumes', 'datasources'], verbs: ['get', 'list', 'watch'], why: 'inference labels of DataVolumes and DataSources' },
    // start/stop/restart plan from the VM and its VMI; pause/unpause and the console check the VMI.
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['get'], why: 'subresource calls look up the VM and VMI' },
    // start/stop patch runStrategy or running; restart patches the VM's stateChangeRequests in its status.
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachines', 'virtualmachines/status'], verbs: ['patch'], why: 'start, stop and restart of a VM' },
  ],
  // pause/unpause and the console go to the virt-handler pod of the VMI's node (found by label and node).
  // The certificates are mounted Secrets: no API access to them is needed.
  namespaced: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'], why: 'the virt-handler pod of a node' }],
};

/** Props of {@link VirtApi}. */
export interface VirtApiProps {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** The container port of the webhook server. */
  readonly port: number;
  /** How the API server trusts the serving certificate (for the APIService). */
  readonly ca: CaSource;
}

/** virt-api's Deployment ("Resource"), Service, PodDisruptionBudget and identity. */
export class VirtApi extends Construct {
  public constructor(scope: Construct, id: string, props: VirtApiProps) {
    super(scope, id);
    const { namespace, image, replicas, port, ca } = props;
    const labels = componentLabels(VIRT_API);
    const identity = new ComponentIdentity(this, 'Identity', { component: VIRT_API, namespace, rules: VIRT_API_RULES });
    const probe = (path: string): k8s.Probe => ({ httpGet: { path, port: k8s.IntOrString.fromString('webhook'), scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 3 });
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: VIRT_API, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: identity.serviceAccountName,
            // Needs no API token today, but its informer lookups will: keep it explicit.
            automountServiceAccountToken: true,
            // fsGroup makes the 0440 certificate files readable by the image's user.
            securityContext: { runAsNonRoot: true, fsGroup: KVT_UID, seccompProfile: { type: 'RuntimeDefault' } },
            // Two replicas on two nodes, so a node drain never takes admission down.
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } }],
              },
            },
            containers: [{
              ...kvtContainer(VIRT_API, image, [
                'virt-api', '--tls-cert-file', `${CERT_DIR}/tls.crt`, '--tls-key-file', `${CERT_DIR}/tls.key`, '--port', String(port), '--lookups-from-api',
                '--subresource-api', '--handler-certs', HANDLER_CLIENT_DIR,
              ]),
              // The namespace of the virt-handler pods is the install's, which is virt-api's own.
              env: [fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
              ports: [{ name: 'webhook', containerPort: port, protocol: 'TCP' }],
              readinessProbe: probe('/readyz'),
              livenessProbe: { ...probe('/healthz'), initialDelaySeconds: 10, failureThreshold: 3 },
              resources: resourceRequirements({ cpuRequest: '50m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '256Mi' }),
              securityContext: RESTRICTED_SECURITY_CONTEXT,
              volumeMounts: [{ name: 'certs', mountPath: CERT_DIR, readOnly: true }, { name: 'handler-client', mountPath: HANDLER_CLIENT_DIR, readOnly: true }, TMP_MOUNT],
            }],
            volumes: [
              { name: 'certs', secret: { secretName: VIRT_API_CERT_SECRET, defaultMode: 0o440 } },
              { name: 'handler-client', secret: { secretName: VIRT_API_HANDLER_CLIENT_SECRET, defaultMode: 0o440 } },
              TMP_VOLUME,
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: VIRT_API, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'webhook', port: 443, targetPort: k8s.IntOrString.fromString('webhook'), protocol: 'TCP' }] },
    });
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: VIRT_API, namespace, labels },
      spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
    new SubresourceApi(this, 'SubresourceApi', { namespace, service: VIRT_API, serviceAccount: identity.serviceAccountName, ca });
  }
}
