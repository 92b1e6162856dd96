/**
 * What every component of the install shares: the labels that select its pods, its ServiceAccount
 * and RBAC from a declarative rule table, and the container shape (command, pull policy, resources,
 * a restricted securityContext) chosen on purpose rather than left to defaults.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';

/** Labels every object of the install carries. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'kubevirt-ts' } as const;

/** The labels that select one component's pods. */
export function componentLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, ...PART_OF };
}

/** One RBAC rule with the reason the component needs it (traceable to what it does). */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Why the component needs this rule. */
  readonly why: string;
}

/** A component's rules: cluster-wide ones and ones inside the install namespace. */
export interface RbacTable {
  readonly cluster: readonly RbacRule[];
  readonly namespaced: readonly RbacRule[];
}

function toPolicy(rule: RbacRule): k8s.PolicyRule {
  return { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
}

/** What {@link ComponentIdentity} needs. */
export interface ComponentIdentityProps {
  readonly component: string;
  readonly namespace: string;
  readonly rules: RbacTable;
}

/**
 * A component's ServiceAccount ("Resource") with a ClusterRole + ClusterRoleBinding for its cluster
 * rules and a Role + RoleBinding for its namespace rules (each only when it has such rules). The
 * reasons stay in the component's rule table.
 */
export class ComponentIdentity extends Construct {
  /** The ServiceAccount's name. */
  public readonly serviceAccountName: string;

  public constructor(scope: Construct, id: string, props: ComponentIdentityProps) {
    super(scope, id);
    const { component, namespace, rules } = props;
    this.serviceAccountName = component;
    const labels = componentLabels(component);
    new k8s.KubeServiceAccount(this, 'Resource', { metadata: { name: component, namespace, labels }, automountServiceAccountToken: true });
    const subjects = [{ kind: 'ServiceAccount', name: component, namespace }];
    const clusterName = `kubevirt-ts-${component}`;
    if (rules.cluster.length > 0) {
      new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name: clusterName, labels }, rules: rules.cluster.map(toPolicy) });
      new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name: clusterName, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
        subjects,
      });
    }
    if (rules.namespaced.length > 0) {
      new k8s.KubeRole(this, 'Role', { metadata: { name: component, namespace, labels }, rules: rules.namespaced.map(toPolicy) });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { name: component, namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: component },
        subjects,
      });
    }
  }
}

/** Requests and limits of one container (Kubernetes quantities). */
export interface ContainerResources {
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
}

/** The requests/limits block of a container. */
export function resourceRequirements(r: ContainerResources): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(r.cpuRequest), memory: k8s.Quantity.fromString(r.memoryRequest) },
    limits: { cpu: k8s.Quantity.fromString(r.cpuLimit), memory: k8s.Quantity.fromString(r.memoryLimit) },
  };
}

/** The image's unprivileged user (see Dockerfile). */
export const KVT_UID = 10001;

/**
 * The securityContext of a component that needs no host access: non-root, no privilege
 * escalation, no capabilities, a read-only root file system (temporary files go to an emptyDir
 * /tmp), the runtime's default seccomp profile.
 */
export const RESTRICTED_SECURITY_CONTEXT: k8s.SecurityContext = {
  runAsNonRoot: true,
  runAsUser: KVT_UID,
  runAsGroup: KVT_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The writable /tmp of a read-only container. */
export const TMP_VOLUME: k8s.Volume = { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } };

/** Where {@link TMP_VOLUME} is mounted. */
export const TMP_MOUNT: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };

/** Every container runs the one image's `kvt` command with a subcommand. */
export function kvtContainer(name: string, image: string, args: readonly string[]): Pick<k8s.Container, 'name' | 'image' | 'imagePullPolicy' | 'command' | 'args'> {
  return { name, image, imagePullPolicy: 'IfNotPresent', command: ['kvt'], args: [...args] };
}

/** The pod environment value of the pod's own namespace and node (downward API). */
export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}
