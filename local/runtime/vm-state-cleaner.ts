/**
 * Removes a VM's persistent state (its persistent TPM's swtpm state, `<dataDir>/vm-state/…`) when
 * the VM is deleted, as Kubernetes' garbage collector removes KubeVirt's backend-storage PVC with
 * its VM: the decision is local/vm-state-removal.ts's, made on every deletion the caches see;
 * removals run one at a time, and a failed one is logged (the directory stays for a later look).
 */
import type { Cache } from '../../core/cache.js';
import type { Logger } from '../../core/log.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../crd-gen/index.js';
import { removeVmState } from '../../launcher/runtime/tpm-state.js';
import type { StateOwner } from '../../launcher/vm-state.js';
import { stateToRemove, type Deletion } from '../vm-state-removal.js';

/** What the cleaner watches and where the state is. */
export interface VmStateCleanerOptions {
  readonly vms: Cache<VirtualMachine>;
  readonly vmis: Cache<VirtualMachineInstance>;
  readonly dataDir: string;
  readonly log: Logger;
}

/** A running cleaner. */
export interface VmStateCleaner {
  /** Resolves once every removal asked for so far has ended. */
  idle(): Promise<void>;
  /** Stops listening; removals in progress finish. */
  stop(): void;
}

/** Starts removing VMs' persistent state as their deletions arrive. */
export function startVmStateCleaner(opts: VmStateCleanerOptions): VmStateCleaner {
  let queue: Promise<void> = Promise.resolve();
  const remove = (owner: StateOwner): void => {
    queue = queue.then(async () => {
      if (await removeVmState(opts.dataDir, owner)) {
        opts.log.info({ namespace: owner.namespace, name: owner.name, uid: owner.uid, kind: owner.kind }, 'Removed the persistent state of a deleted object');
      }
    }).catch((err: unknown) => opts.log.warn({ err, namespace: owner.namespace, name: owner.name, uid: owner.uid }, 'Could not remove the persistent state of a deleted object'));
  };
  const live = { vmExists: (uid: string) => opts.vms.list().some((vm) => vm.metadata.uid === uid), vmisOf: (uid: string) => opts.vmis.controlledBy(uid).length };
  const onDeletion = (deletion: Deletion): void => {
    for (const owner of stateToRemove(deletion, live)) remove(owner);
  };
  const unsubscribe = [
    opts.vms.onChange((vm, _previous, deleted) => { if (deleted) onDeletion({ kind: 'VirtualMachine', object: vm }); }),
    opts.vmis.onChange((vmi, _previous, deleted) => { if (deleted) onDeletion({ kind: 'VirtualMachineInstance', object: vmi }); }),
  ];
  return {
    idle: async () => {
      for (let seen = queue; ; seen = queue) {
        await seen;
        if (seen === queue) return;
      }
    },
    stop: () => { for (const off of unsubscribe) off(); },
  };
}
