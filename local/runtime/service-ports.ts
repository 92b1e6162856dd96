/**
 * The local kvt daemon's Service ports (local/services/host-ports.ts says which): each TCP port of
 * each Service is served on 127.0.0.1 (its nodePort, else a free port) and every connection is
 * joined to the target port of a Running pod the Service selects (local/runtime/tcp-forward.ts),
 * chosen when the connection comes, round robin. The bound ports are written to the Service's
 * `kvt.kubevirt.io/host-ports` annotation. Changes are applied one reconcile at a time; a port that
 * cannot be bound (in use) is logged and tried again at the next change.
 */
import type { Logger } from 'pino';
import type { Cache } from '../../core/cache.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { createInformer } from '../../reconcilers/runtime/informer.js';
import { endpointIps, HOST_PORTS_ANNOTATION, hostPortsValue, serviceListeners, type PodLike, type ServiceLike, type ServiceListener } from '../services/host-ports.js';
import { listenForward, type TcpForwarder } from './tcp-forward.js';

const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;

/** The running Service ports. */
export interface ServicePorts {
  stop(): Promise<void>;
}

/** Serves the Services of `kube` on the host, forwarding to the pods of `pods`. */
export async function startServicePorts(options: { readonly kube: KubeApi; readonly pods: Cache<PodLike & KubeObject>; readonly log: Logger }): Promise<ServicePorts> {
  const { kube, pods, log } = options;
  const services = createInformer<ServiceLike & KubeObject>(kube, SERVICE, { log });
  const open = new Map<string, { readonly listener: ServiceListener; readonly forwarder: TcpForwarder }>();
  let turn = 0;
  let stopped = false;

  const destination = (l: ServiceListener) => (): Promise<{ host: string; port: number }> => {
    const ips = endpointIps(pods.list(l.namespace), l.namespace, l.selector);
    if (ips.length === 0) return Promise.reject(new Error(`Service ${l.namespace}/${l.service} has no ready endpoint`));
    turn += 1;
    return Promise.resolve({ host: ips[turn % ips.length] ?? '', port: l.targetPort });
  };

  const same = (a: ServiceListener, b: ServiceListener): boolean => a.targetPort === b.targetPort && a.hostPort === b.hostPort && JSON.stringify(a.selector) === JSON.stringify(b.selector);

  async function reconcile(): Promise<void> {
    if (stopped) return;
    const { listeners, skipped } = serviceListeners(services.list());
    for (const reason of skipped) log.debug({ reason }, 'a Service port is not served on the host');
    const wanted = new Map(listeners.map((l) => [l.key, l]));
    for (const [key, o] of open) {
      const want = wanted.get(key);
      if (want === undefined || !same(want, o.listener)) { open.delete(key); await o.forwarder.close(); }
    }
    for (const l of listeners) {
      if (open.has(l.key)) continue;
      try {
        const forwarder = await listenForward('127.0.0.1', l.hostPort, destination(l), (e) => log.debug({ service: l.key, err: e.message }, 'a Service connection failed'));
        open.set(l.key, { listener: l, forwarder });
        log.info({ service: l.key, hostPort: forwarder.port }, 'serving a Service port on 127.0.0.1');
      } catch (e: unknown) {
        log.warn({ service: l.key, hostPort: l.hostPort, err: e instanceof Error ? e.message : String(e) }, 'could not serve a Service port on the host');
      }
    }
    await annotate();
  }

  /** Writes each Service's bound ports where the user reads them, when they changed. */
  async function annotate(): Promise<void> {
    for (const s of services.list()) {
      const namespace = s.metadata.namespace ?? 'default';
      const name = s.metadata.name ?? '';
      const bound = [...open.values()].filter((o) => o.listener.namespace === namespace && o.listener.service === name).map((o) => ({ port: o.listener.port, hostPort: o.forwarder.port }));
      const value = hostPortsValue(bound);
      if ((s.metadata.annotations?.[HOST_PORTS_ANNOTATION] ?? '') === value) continue;
      await kube.patch(SERVICE, { namespace, name }, { type: 'merge', body: { metadata: { annotations: { [HOST_PORTS_ANNOTATION]: value === '' ? null : value } } } })
        .catch((e: unknown) => log.debug({ service: `${namespace}/${name}`, err: e instanceof Error ? e.message : String(e) }, 'could not annotate a Service'));
    }
  }

  let chain = Promise.resolve();
  const schedule = (): void => {
    chain = chain.then(reconcile).catch((e: unknown) => log.warn({ err: e instanceof Error ? e.message : String(e) }, 'Service ports reconcile failed'));
  };
  const unsubscribe = services.onChange(schedule);
  await services.start();
  schedule();
  await chain;
  return {
    stop: async () => {
      stopped = true;
      unsubscribe();
      services.stop();
      await chain;
      await Promise.all([...open.values()].map((o) => o.forwarder.close()));
      open.clear();
    },
  };
}
