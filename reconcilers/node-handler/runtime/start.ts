/**
 * virt-handler's start-up, independent of how the API is reached: heartbeat, the VMI informer of
 * this node, the node handler on the controller runtime, and the orphan-launcher cleanup once the
 * cache has synced (kubevirt/controllers.md §5). Stopping stops the handler, never a guest.
 */
import type { Cache } from '../../../core/cache.js';
import type { KubeApi } from '../../../core/kube.js';
import type { Logger } from '../../../core/log.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import type { ControllerDefinition } from '../../contract.js';
import { createEventBroadcaster } from '../../runtime/event-recorder.js';
import { nodeHandlerController, type NodeHandler } from '../reconciler.js';
import { startHeartbeat } from './heartbeat.js';
import { fileLauncherAccess } from './launcher-access.js';
import type { ConnectionOptions } from './launcher-connection.js';
import { cleanOrphanLaunchers } from './orphans.js';
import { createHandlerRestServer, type HandlerRestServer, type RestTls } from './rest-server.js';
import { join } from 'node:path';
import { CONSOLE_SOCKET } from '../../../launcher/protocol/index.js';

/** What {@link startVirtHandler} wires together. */
export interface VirtHandlerOptions {
  /** The API as virt-handler's service account. */
  readonly kube: KubeApi;
  readonly nodeName: string;
  readonly runRoot: string;
  readonly log: Logger;
  readonly now?: () => Date;
  /** A launcher's run directory under `runRoot` (launcher/identity.ts's runDirFor). */
  readonly runDirOf: (vmi: Readonly<VirtualMachineInstance>) => string;
  /** An informer of the VMIs on this node (field selector `status.nodeName=<node>`), not yet started. */
  readonly vmis: Cache<VirtualMachineInstance> & { start(): Promise<void>; stop(): void };
  /** Runs a controller; its stop closes the reconciler, as the runtime's runController does (the launcher connections). */
  readonly run: (definition: ControllerDefinition) => { stop(): Promise<void> };
  readonly heartbeatIntervalMs?: number;
  /** Which launchers (by run directory) the start-up orphan cleanup may stop. @default all under runRoot */
  readonly ownsLauncher?: (runDir: string) => Promise<boolean>;
  readonly connection?: Omit<ConnectionOptions, 'onChange'>;
  /** The REST endpoint virt-api calls (pause/unpause, the console), served when given. */
  readonly rest?: { readonly tls: RestTls; readonly port: number; readonly address?: string };
}

/** A running virt-handler. */
export interface VirtHandler {
  /** Resolves once the orphan cleanup after start-up is done (with how many were stopped). */
  readonly orphansCleaned: Promise<number>;
  stop(): Promise<void>;
  /** The pause/unpause endpoint virt-api relays to (the node handler's `lifecycle`). */
  readonly lifecycle: NodeHandler['lifecycle'];
  /** The REST endpoint, when served. */
  readonly rest?: HandlerRestServer;
}

/** Logs a line a launcher sent that is not a valid event (a launcher of another protocol version shows so). */
function reportMalformed(log: Logger): (error: string, socket: string) => void {
  return (error, socket) => log.warn({ socket, err: error }, 'Dropped a malformed line from a virt-launcher');
}

/** Starts virt-handler for `nodeName`. */
export async function startVirtHandler(options: VirtHandlerOptions): Promise<VirtHandler> {
  const now = options.now ?? ((): Date => new Date());
  const heartbeat = startHeartbeat({ kube: options.kube, nodeName: options.nodeName, log: options.log, now, ...(options.heartbeatIntervalMs === undefined ? {} : { intervalMs: options.heartbeatIntervalMs }) });
  await options.vmis.start();
  // virt-handler's Events name the node as their source host, as KubeVirt's do.
  const events = createEventBroadcaster({ kube: options.kube, log: options.log, now });
  const handler = nodeHandlerController({
    kube: options.kube, log: options.log, now, events: events.recorder('virt-handler', options.nodeName), nodeName: options.nodeName, vmis: options.vmis,
    launchers: fileLauncherAccess({ runDirOf: options.runDirOf, connection: { onMalformed: reportMalformed(options.log), ...options.connection } }),
  });
  const running = options.run(handler);
  const orphansCleaned = cleanOrphanLaunchers({
    runRoot: options.runRoot, log: options.log,
    isKnown: (uid) => options.vmis.list().some((v) => v.metadata.uid === uid),
    ...(options.ownsLauncher === undefined ? {} : { owns: options.ownsLauncher }),
  });
  const rest = options.rest === undefined ? undefined : await serveRest(options, options.rest, handler.lifecycle);
  options.log.info({ name: options.nodeName, runRoot: options.runRoot }, 'Started virt-handler on Node');
  return {
    orphansCleaned,
    lifecycle: handler.lifecycle,
    ...(rest === undefined ? {} : { rest }),
    stop: async () => {
      await rest?.close();
      await running.stop();
      events.stop();
      options.vmis.stop();
      await heartbeat.stop();
      await orphansCleaned.catch(() => 0);
    },
  };
}

/** Starts the REST endpoint on `at`. */
async function serveRest(options: VirtHandlerOptions, at: NonNullable<VirtHandlerOptions['rest']>, lifecycle: NodeHandler['lifecycle']): Promise<HandlerRestServer> {
  const server = createHandlerRestServer({
    tls: at.tls, nodeName: options.nodeName, vmis: options.vmis, lifecycle, log: options.log,
    consoleSocketOf: (vmi) => join(options.runDirOf(vmi), CONSOLE_SOCKET),
  });
  const address = await server.listen(at.port, at.address ?? '0.0.0.0');
  options.log.info({ address: address.address, port: address.port }, 'Started virt-handler REST endpoint');
  return server;
}
