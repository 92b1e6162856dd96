/**
 * The heartbeat loop: refreshes this node's Node object at once and then every interval (creating
 * it when missing). A failed beat is logged and retried at the next tick; it never stops the handler.
 */
import { isNotFound } from '../../../core/errors.js';
import type { KubeApi } from '../../../core/kube.js';
import type { Logger } from '../../../core/log.js';
import { HEARTBEAT_INTERVAL_MS, heartbeatPatch, newNode, NODE_TYPE } from '../heartbeat.js';

/** Options of {@link startHeartbeat}. */
export interface HeartbeatOptions {
  readonly kube: KubeApi;
  readonly nodeName: string;
  readonly log: Logger;
  readonly now: () => Date;
  /** @default 60000 */
  readonly intervalMs?: number;
}

/** One beat: patch the Node, or create it when it does not exist. */
export async function beat(kube: KubeApi, nodeName: string, now: Date): Promise<void> {
  try {
    await kube.patch(NODE_TYPE, { name: nodeName }, { type: 'merge', body: heartbeatPatch(now) });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await kube.create(newNode(nodeName, now));
  }
}

/** Starts beating; `stop()` ends the loop (and waits for a beat in flight). */
export function startHeartbeat(options: HeartbeatOptions): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = beat(options.kube, options.nodeName, options.now()).catch((e: unknown) => {
      options.log.warn({ name: options.nodeName, err: e }, 'Could not refresh the heartbeat of Node');
    });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
