/**
 * Starts a process's controllers the way KubeVirt does: every informer lists first, workers start
 * only once all of them synced (`WaitForCacheSync`), and stop ends controllers before informers.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-controller/watch/application.go
 */
import { waitForSync } from '../../core/cache.js';
import type { Logger } from '../../core/log.js';
import { runController, type RunningController } from './controller.js';
import type { InformerLifecycle } from './informer.js';
import type { ControllerDefinition } from '../contract.js';

/** What {@link startControllers} runs. */
export interface ManagerOptions {
  readonly informers: readonly InformerLifecycle[];
  readonly controllers: readonly ControllerDefinition[];
  readonly log: Logger;
}

/** Running informers and controllers. */
export interface RunningControllers {
  /** Stops the controllers (waiting for in-flight reconciles), then the informers. */
  stop(): Promise<void>;
}

/** Starts the informers, waits until every one synced, then runs the controllers. */
export async function startControllers(options: ManagerOptions): Promise<RunningControllers> {
  await Promise.all(options.informers.map((informer) => informer.start()));
  await waitForSync(options.informers);
  const running: RunningController[] = options.controllers.map((definition) => runController(definition, { log: options.log }));
  options.log.info({ controllers: options.controllers.map((c) => c.reconciler.name) }, 'Started controllers');
  return {
    async stop(): Promise<void> {
      await Promise.all(running.map((r) => r.stop()));
      for (const informer of options.informers) informer.stop();
    },
  };
}
