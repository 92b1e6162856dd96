/**
 * virt-controller's wiring over any KubeApi: shared informers for VMs, VMIs, VMIRSs and launcher pods,
 * and the controllers that run on them, started once every informer synced. The cluster command
 * (behind leader election) and the local mode's in-memory store use the same function.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/application.go
 */
import type { Cache } from '../../core/cache.js';
import type { ClusterConfig } from '../../core/cluster-config.js';
import type { KubeApi } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { KINDS, Labels, LabelValues, type VirtualMachine, type VirtualMachineInstance, type VirtualMachineInstanceReplicaSet } from '../../crd-gen/index.js';
import { POD_TYPE, type Pod } from '../pod.js';
import type { StatusOwnership } from '../../core/status-ownership.js';
import { replicaSetController } from '../replicaset/reconciler.js';
import { REPLICASET_CONTROLLER_STATUS } from '../replicaset/status.js';
import { VM_CONTROLLER_STATUS } from '../vm/status.js';
import { VMI_CONTROLLER_STATUS } from '../vmi/status.js';
import { vmController } from '../vm/reconciler.js';
import { vmiController } from '../vmi/reconciler.js';
import { createEventBroadcaster } from './event-recorder.js';
import { createInformer } from './informer.js';
import { startControllers, type RunningControllers } from './manager.js';
import type { ControllerDefinition, ControllerDeps } from '../contract.js';

/** The status fields virt-controller writes: its three controllers' declarations. */
export const VIRT_CONTROLLER_STATUS: readonly StatusOwnership[] = [VM_CONTROLLER_STATUS, VMI_CONTROLLER_STATUS, REPLICASET_CONTROLLER_STATUS];

/** The shared caches virt-controller's controllers read. */
export interface VirtControllerCaches {
  readonly vms: Cache<VirtualMachine>;
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly replicaSets: Cache<VirtualMachineInstanceReplicaSet>;
  readonly pods: Cache<Pod>;
}

/** Options of {@link startVirtController}. */
export interface VirtControllerOptions {
  readonly kube: KubeApi;
  readonly log: Logger;
  /** The launcher pods' compute image. */
  readonly launcherImage: string;
  readonly cfg?: ClusterConfig;
  /** Boot images as image volumes of launcher pods (a cluster); the local mode's launchers read the image store. @default false */
  readonly imageVolumes?: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Further controllers on the same caches (the ReplicaSet controller is passed here until its
   * factory is wired in directly).
   */
  readonly extraControllers?: (deps: ControllerDeps & VirtControllerCaches) => readonly ControllerDefinition[];
}

/** The Event source components of KubeVirt's virt-controller (application.go's recorders). */
const EventSources = { vm: 'virtualmachine-controller', vmi: 'virtualmachine-controller', replicaSet: 'virtualmachinereplicaset-controller' } as const;

const typeOfKind = (kind: { readonly apiVersion: string; readonly kind: string }): { apiVersion: string; kind: string } => ({ apiVersion: kind.apiVersion, kind: kind.kind });

/** Starts virt-controller's informers and controllers on `options.kube`; resolves once they run. */
export async function startVirtController(options: VirtControllerOptions): Promise<RunningControllers & { readonly caches: VirtControllerCaches }> {
  const { kube, log } = options;
  const vms = createInformer<VirtualMachine>(kube, typeOfKind(KINDS.VirtualMachine), { log });
  const vmis = createInformer<VirtualMachineInstance>(kube, typeOfKind(KINDS.VirtualMachineInstance), { log });
  const replicaSets = createInformer<VirtualMachineInstanceReplicaSet>(kube, typeOfKind(KINDS.VirtualMachineInstanceReplicaSet), { log });
  // Only launcher pods concern virt-controller (KubeVirt's pod informer selects on the same label).
  const pods = createInformer<Pod>(kube, POD_TYPE, { log, labelSelector: `${Labels.app}=${LabelValues.virtLauncher}` });
  const caches: VirtControllerCaches = { vms, vmis, replicaSets, pods };
  const now = options.now ?? ((): Date => new Date());
  const events = createEventBroadcaster({ kube, log, now });
  // Each controller's Events name it as their source, as KubeVirt's recorders do.
  const deps = (component: string): ControllerDeps & VirtControllerCaches => ({ kube, log, now, events: events.recorder(component), ...caches });
  const controllers = [
    vmController(deps(EventSources.vm)),
    replicaSetController(deps(EventSources.replicaSet)),
    vmiController({ ...deps(EventSources.vmi), launcherImage: options.launcherImage, cfg: options.cfg, imageVolumes: options.imageVolumes === true }),
    ...(options.extraControllers?.(deps('virt-controller')) ?? []),
  ];
  const running = await startControllers({ informers: [vms, vmis, replicaSets, pods], controllers, log });
  return {
    stop: async () => {
      await running.stop();
      events.stop();
    },
    caches,
  };
}
