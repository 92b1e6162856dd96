/**
 * virt-controller: `kvt virt-controller`, the VM, VMI and replica-set controllers. Two replicas
 * with leader election (a coordination.k8s.io Lease in the install namespace): one works, one
 * stands by.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { ComponentIdentity, componentLabels, kvtContainer, resourceRequirements, RESTRICTED_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME, type RbacTable, fieldEnv } from './common.js';
import { ApiGroups } from '../../crd-gen/index.js';

/** The component's name: its ServiceAccount and Deployment. */
export const VIRT_CONTROLLER = 'virt-controller';

/** virt-controller's RBAC, one rule per thing the controllers do (controllers.md §1–§3). */
export const VIRT_CONTROLLER_RULES: RbacTable = {
  cluster: [
    // Informers of every kind the controllers reconcile or read.
    {
      apiGroups: [ApiGroups.kubevirt],
      resources: ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancereplicasets', 'virtualmachineinstancepresets'],
      verbs: ['get', 'list', 'watch'],
      why: 'informers of VMs, VMIs, replica sets and presets',
    },
    // The VM and replica-set controllers create and delete VMIs and patch their metadata
    // (finalizers, labels, ownerReferences on adoption and release).
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachineinstances'], verbs: ['create', 'delete', 'patch', 'update'], why: 'VMIs of VMs and replica sets' },
    // The VM controller keeps its finalizer on each VM and flips the run strategy for start requests.
    { apiGroups: [ApiGroups.kubevirt], resources: ['virtualmachines'], verbs: ['patch'], why: 'VM finalizer and run strategy' },
    // Each controller owns its kind's status.
    {
      apiGroups: [ApiGroups.kubevirt],
      resources: ['virtualmachines/status', 'virtualmachineinstances/status', 'virtualmachineinstancereplicasets/status'],
      verbs: ['update', 'patch'],
      why: 'status of VMs, VMIs and replica sets',
    },
    // The VM controller expands the instancetype and preference a VM names.
    {
      apiGroups: [ApiGroups.instancetype],
      resources: ['virtualmachineinstancetypes', 'virtualmachineclusterinstancetypes', 'virtualmachinepreferences', 'virtualmachineclusterpreferences'],
      verbs: ['get', 'list', 'watch'],
      why: 'instancetypes and preferences VMs name',
    },
    // The VMI controller renders, watches and deletes launcher pods.
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'], why: 'launcher pods' },
    // Scheduling facts: which nodes are schedulable for VMIs.
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'], why: 'node informer' },
    // SuccessfulCreate, FailedCreate and the like on the objects it reconciles.
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'], why: 'events' },
  ],
  namespaced: [
    // Leader election: one active controller, the Lease in the install namespace.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'], why: 'leader election Lease' },
  ],
};

/** Props of {@link VirtController}. */
export interface VirtControllerProps {
  readonly namespace: string;
  readonly image: string;
  /** The image of launcher pods. */
  readonly launcherImage: string;
  readonly replicas: number;
}

/** virt-controller's Deployment ("Resource") and identity. */
export class VirtController extends Construct {
  public constructor(scope: Construct, id: string, props: VirtControllerProps) {
    super(scope, id);
    const { namespace, image, launcherImage, replicas } = props;
    const labels = componentLabels(VIRT_CONTROLLER);
    const identity = new ComponentIdentity(this, 'Identity', { component: VIRT_CONTROLLER, namespace, rules: VIRT_CONTROLLER_RULES });
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: VIRT_CONTROLLER, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: identity.serviceAccountName,
            // The controllers talk to the API server with this token.
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              ...kvtContainer(VIRT_CONTROLLER, image, ['virt-controller', '--namespace', namespace, '--leader-elect=true', '--launcher-image', launcherImage, '--image-volumes=true']),
              // No probe: `kvt virt-controller` serves no health endpoint yet; a stuck leader
              // loses its Lease and the standby takes over.
              resources: resourceRequirements({ cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' }),
              securityContext: RESTRICTED_SECURITY_CONTEXT,
              // The Lease names its holder by pod (as KubeVirt's leader election does).
              env: [fieldEnv('POD_NAME', 'metadata.name')],
              volumeMounts: [TMP_MOUNT],
            }],
            volumes: [TMP_VOLUME],
          },
        },
      },
    });
  }
}
