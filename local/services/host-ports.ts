/**
 * The local mode's Services (pure): a cluster gives a Service a virtual IP that kube-proxy forwards
 * to its endpoints; the local kvt daemon has no kube-proxy, so it serves each TCP port of each
 * Service on 127.0.0.1 instead — the `nodePort` when the Service has one, else a free port — and
 * forwards every connection to the `targetPort` of a Running pod the selector matches (launcher
 * pods carry their VMI's labels, so `kvt expose` Services reach VMIs). The ports it bound are
 * written to the Service's annotation {@link HOST_PORTS_ANNOTATION} as `PORT:HOSTPORT,…`.
 */
import { Annotations } from '../../crd-gen/index.js';

/** Where the daemon says which host port serves which Service port (the key table's entry). */
export const HOST_PORTS_ANNOTATION = Annotations.hostPorts;

/** The part of a Service this reads. */
export interface ServiceLike {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports?: readonly { readonly port: number; readonly targetPort?: number | string; readonly nodePort?: number; readonly protocol?: string }[];
  };
}

/** The part of a pod this reads. */
export interface PodLike {
  readonly metadata: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly deletionTimestamp?: string };
  readonly status?: { readonly phase?: string; readonly podIP?: string };
}

/** One host port the daemon should serve. */
export interface ServiceListener {
  /** `namespace/name/port`: what identifies it across changes. */
  readonly key: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly targetPort: number;
  /** The nodePort, or 0 for a free port. */
  readonly hostPort: number;
  readonly selector: Readonly<Record<string, string>>;
}

/** The listeners the Services ask for, and why a port is not served (a named target port, UDP, no selector). */
export function serviceListeners(services: readonly ServiceLike[]): { listeners: ServiceListener[]; skipped: string[] } {
  const results = services.flatMap((s) => (s.spec?.ports ?? []).map((p) => portListener({ namespace: s.metadata.namespace ?? 'default', service: s.metadata.name ?? '', selector: s.spec?.selector ?? {} }, p)));
  return {
    listeners: results.filter((r): r is ServiceListener => typeof r !== 'string'),
    skipped: results.filter((r): r is string => typeof r === 'string'),
  };
}

type ServicePort = NonNullable<NonNullable<ServiceLike['spec']>['ports']>[number];

/** The listener of one Service port, or why it is not served. */
function portListener(s: Pick<ServiceListener, 'namespace' | 'service' | 'selector'>, p: ServicePort): ServiceListener | string {
  const { namespace, service, selector } = s;
  const what = `Service ${namespace}/${service} port ${p.port}`;
  const target = p.targetPort ?? p.port;
  if (Object.keys(selector).length === 0) return `${what}: no selector`;
  if ((p.protocol ?? 'TCP') !== 'TCP') return `${what}: only TCP is served on the host`;
  if (typeof target !== 'number') return `${what}: a named target port (${target}) is not resolved in the local mode`;
  return { key: `${namespace}/${service}/${p.port}`, namespace, service, port: p.port, targetPort: target, hostPort: p.nodePort ?? 0, selector };
}

/** Whether the labels hold every key=value of the selector. */
function matches(labels: Readonly<Record<string, string>> | undefined, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The IPs of the Running, not deleting pods of `namespace` the selector matches, in the order given. */
export function endpointIps(pods: readonly PodLike[], namespace: string, selector: Readonly<Record<string, string>>): string[] {
  return pods.filter((p) => (p.metadata.namespace ?? 'default') === namespace && p.metadata.deletionTimestamp === undefined
    && p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '' && matches(p.metadata.labels, selector))
    .map((p) => p.status?.podIP ?? '');
}

/** The annotation's value for these bound ports: `PORT:HOSTPORT` by Service port. */
export function hostPortsValue(bound: readonly { readonly port: number; readonly hostPort: number }[]): string {
  return [...bound].sort((a, b) => a.port - b.port).map((b) => `${b.port}:${b.hostPort}`).join(',');
}
