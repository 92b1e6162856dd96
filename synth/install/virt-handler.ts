/**
 * virt-handler: `kvt virt-handler`, the node agent, one pod per node (DaemonSet). It shares
 * /run/kvt with the launcher pods of its node (their control sockets) and reports VMI status and
 * the node heartbeat.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { NODE_NAME_EXTRA } from '../../webhooks/index.js';
import { ComponentIdentity, componentLabels, fieldEnv, kvtContainer, resourceRequirements, TMP_MOUNT, TMP_VOLUME, type RbacTable } from './common.js';
import { ApiGroups } from '../../crd-gen/index.js';
import { VIRT_HANDLER_REST_PORT } from '../../core/virt-handler-endpoint.js';

/** The component's name: its ServiceAccount and DaemonSet. */
export const VIRT_HANDLER = 'virt-handler';

/** The Secret holding the REST endpoint's serving certificate and the CA of virt-api's client certificate. */
export const VIRT_HANDLER_CERT_SECRET = 'virt-handler-certs';

const REST_CERT_DIR = '/etc/virt-handler/certs';

/** virt-handler's RBAC (controllers.md §5: the node agent). */
export const VIRT_HANDLER_RULES: RbacTable = {
  cluster: [
    // The informer of the VMIs scheduled to its node (a field selector; RBAC cannot narrow it).
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachineinstances'], verbs: ['get', 'list', 'watch'], why: 'VMIs of its node' },
    // It owns the node-side VMI status: phase, interfaces, guest info, conditions.
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachineinstances/status'], verbs: ['update', 'patch'], why: 'VMI status' },
    // The heartbeat annotation and the kubevirt.io/schedulable label of its own Node (RBAC cannot
    // name the node: the install's ValidatingAdmissionPolicy holds each handler to its own). Nodes
    // are registered by the node's kubelet (kvt node-agent), never by virt-handler: no create.
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'], why: 'heartbeat and schedulable label of its Node' },
    // Started, Stopped, ShutdownFailed and the like on VMIs.
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'], why: 'events' },
  ],
  namespaced: [],
};

/** Props of {@link VirtHandler}. */
export interface VirtHandlerProps {
  readonly namespace: string;
  readonly image: string;
  /** The host directory shared with launcher pods. */
  readonly runRoot: string;
}

/**
 * virt-handler's DaemonSet ("Resource") and identity. Privileged: it reaches the launchers'
 * sockets and state under the host's run root and /dev/kvm as root, as KubeVirt's virt-handler
 * does. No hostPID: it talks to launchers over sockets in the shared directory, never through
 * their process IDs, so the host's process table stays hidden.
 */
export class VirtHandler extends Construct {
  public constructor(scope: Construct, id: string, props: VirtHandlerProps) {
    super(scope, id);
    const { namespace, image, runRoot } = props;
    const labels = componentLabels(VIRT_HANDLER);
    const identity = new ComponentIdentity(this, 'Identity', { component: VIRT_HANDLER, namespace, rules: VIRT_HANDLER_RULES });
    new OwnNodeOnly(this, 'OwnNode', { user: `system:serviceaccount:${namespace}:${identity.serviceAccountName}` });
    new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: VIRT_HANDLER, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: identity.serviceAccountName,
            // It reports status and the heartbeat with this token.
            automountServiceAccountToken: true,
            hostPid: false,
            priorityClassName: 'system-node-critical',
            containers: [{
              ...kvtContainer(VIRT_HANDLER, image, ['virt-handler', '--node-name', '$(NODE_NAME)', '--run-root', runRoot, '--rest-certs', REST_CERT_DIR, '--rest-port', String(VIRT_HANDLER_REST_PORT)]),
              env: [fieldEnv('NODE_NAME', 'spec.nodeName')],
              // virt-api calls pause, unpause and the console here (mutual TLS).
              ports: [{ name: 'rest', containerPort: VIRT_HANDLER_REST_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('rest'), scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 3 },
              resources: resourceRequirements({ cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' }),
              securityContext: { privileged: true, runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: true, readOnlyRootFilesystem: true },
              volumeMounts: [{ name: 'run-root', mountPath: runRoot }, { name: 'dev-kvm', mountPath: '/dev/kvm' }, { name: 'rest-certs', mountPath: REST_CERT_DIR, readOnly: true }, TMP_MOUNT],
            }],
            volumes: [
              { name: 'rest-certs', secret: { secretName: VIRT_HANDLER_CERT_SECRET, defaultMode: 0o400 } },
              { name: 'run-root', hostPath: { path: runRoot, type: 'DirectoryOrCreate' } },
              { name: 'dev-kvm', hostPath: { path: '/dev/kvm', type: 'CharDevice' } },
              TMP_VOLUME,
            ],
          },
        },
      },
    });
  }
}

/** The name of the policy that holds each virt-handler to its own Node. */
export const OWN_NODE_POLICY = 'kubevirt-ts-virt-handler-own-node';

/**
 * The Node authorizer's rule for virt-handler, as a ValidatingAdmissionPolicy: its service account
 * may change only the Node its pod runs on. The pod-bound token of a handler names that node
 * (`authentication.kubernetes.io/node-name`, Kubernetes ≥ 1.32); a token without it (not bound to
 * a pod) may change no Node at all. RBAC alone would let one compromised node's handler relabel or
 * taint every other node.
 */
export class OwnNodeOnly extends Construct {
  public constructor(scope: Construct, id: string, props: { readonly user: string }) {
    super(scope, id);
    const extra = JSON.stringify(NODE_NAME_EXTRA).replace(/"/g, "'");
    new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: OWN_NODE_POLICY, labels: componentLabels(VIRT_HANDLER) },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['nodes', 'nodes/status'] }] },
        matchConditions: [{ name: 'virt-handler', expression: `request.userInfo.username == '${props.user}'` }],
        validations: [{
          expression: `${extra} in request.userInfo.extra && request.userInfo.extra[${extra}].size() == 1 && request.userInfo.extra[${extra}][0] == request.name`,
          message: 'virt-handler may change only the Node its pod runs on',
          reason: 'Forbidden',
        }],
      },
    });
    new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: OWN_NODE_POLICY, labels: componentLabels(VIRT_HANDLER) },
      spec: { policyName: OWN_NODE_POLICY, validationActions: ['Deny'] },
    });
  }
}
