/**
 * `kvt expose`'s Service, as virtctl expose builds it (pure): the selector is the VMI's labels
 * without `kubevirt.io/nodeName`, a VM's template labels, or a VMI replica set's matchLabels (one
 * with matchExpressions cannot be exposed); launcher pods carry their VMI's labels, so the Service
 * selects them. One port: `--port`, `--target-port` (a number or a port name; absent: the port),
 * `--protocol` (TCP, UDP), `--type` (ClusterIP, NodePort, LoadBalancer), `--node-port`, `--port-name`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virtctl/expose/expose.go
 */
import { Labels } from '../crd-gen/index.js';
import { UsageError } from './command.js';

/** What virtctl expose's TYPE argument names. */
export type ExposeKind = 'vmi' | 'vm' | 'vmirs';

const KIND_WORDS: Readonly<Record<string, ExposeKind>> = {
  vmi: 'vmi', vmis: 'vmi', virtualmachineinstance: 'vmi', virtualmachineinstances: 'vmi',
  vm: 'vm', vms: 'vm', virtualmachine: 'vm', virtualmachines: 'vm',
  vmirs: 'vmirs', vmirss: 'vmirs', virtualmachineinstancereplicaset: 'vmirs', virtualmachineinstancereplicasets: 'vmirs',
};

/** TYPE as virtctl reads it (case-insensitive, singular or plural, short names). */
export function exposeKind(word: string): ExposeKind {
  const kind = KIND_WORDS[word.toLowerCase()];
  if (kind === undefined) throw new UsageError(`unsupported resource type: ${word} (vmi, vm or vmirs)`);
  return kind;
}

/** The flags of `kvt expose`, as given. */
export interface ExposeFlags {
  readonly name?: string;
  readonly port?: string;
  readonly 'target-port'?: string;
  readonly 'node-port'?: string;
  readonly protocol?: string;
  readonly type?: string;
  readonly 'port-name'?: string;
}

/** The Service's port and type, checked. */
export interface ExposeSpec {
  readonly serviceName: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly portName?: string;
}

function port(text: string, flag: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new UsageError(`${flag} must be a port number (1-65535), not ${JSON.stringify(text)}`);
  return n;
}

/** Checks the flags as virtctl does: --name and --port required, known protocol and type. */
function serviceName(flags: ExposeFlags): string {
  const name = flags.name ?? '';
  if (name === '') throw new UsageError('required flag "name" not set');
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) throw new UsageError(`--name ${JSON.stringify(name)} is not a valid Service name (a DNS-1035 label)`);
  return name;
}

function protocolOf(raw: string | undefined): ExposeSpec['protocol'] {
  const protocol = raw ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP') throw new UsageError(`unknown protocol: ${protocol}`);
  return protocol;
}

function typeOf(raw: string | undefined): ExposeSpec['type'] {
  const type = raw ?? 'ClusterIP';
  if (type === 'ExternalName') throw new UsageError(`type: ${type} not supported`);
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') throw new UsageError(`unknown service type: ${type}`);
  return type;
}

function targetPortOf(target: string | undefined): number | string | undefined {
  if (target === undefined || target === '') return undefined;
  if (/^\d+$/.test(target)) return port(target, '--target-port');
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(target) && target.length <= 15) return target;
  throw new UsageError(`--target-port must be a port number or a port name, not ${JSON.stringify(target)}`);
}

export function exposeSpec(flags: ExposeFlags): ExposeSpec {
  const name = serviceName(flags);
  if (flags.port === undefined) throw new UsageError('required flag "port" not set');
  const protocol = protocolOf(flags.protocol);
  const type = typeOf(flags.type);
  const targetPort = targetPortOf(flags['target-port']);
  const nodePort = flags['node-port'] === undefined ? undefined : port(flags['node-port'], '--node-port');
  if (nodePort !== undefined && type === 'ClusterIP') throw new UsageError('--node-port needs --type NodePort or LoadBalancer');
  return {
    serviceName: name, port: port(flags.port, '--port'), protocol, type,
    ...(targetPort === undefined ? {} : { targetPort }),
    ...(nodePort === undefined ? {} : { nodePort }),
    ...(flags['port-name'] === undefined || flags['port-name'] === '' ? {} : { portName: flags['port-name'] }),
  };
}

/** The part of the exposed object the selector comes from. */
export interface ExposedObject {
  readonly metadata: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly template?: { readonly metadata?: { readonly labels?: Readonly<Record<string, string>> } };
    readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>>; readonly matchExpressions?: readonly unknown[] };
  };
}

/** The Service's selector from the object, as virtctl takes it; a refusal names why. */
export function serviceSelector(kind: ExposeKind, name: string, object: ExposedObject): Record<string, string> {
  const selector = rawSelector(kind, object);
  if (Object.keys(selector).length === 0) throw new UsageError(`missing label information for ${kind}: ${name}`);
  return selector;
}

function rawSelector(kind: ExposeKind, object: ExposedObject): Record<string, string> {
  const spec = object.spec ?? {};
  if (kind === 'vm') return { ...spec.template?.metadata?.labels };
  if (kind === 'vmirs') {
    if (spec.selector?.matchExpressions?.length) throw new UsageError('cannot expose VirtualMachineInstance ReplicaSet with match expressions');
    return { ...spec.selector?.matchLabels };
  }
  const labels: Record<string, string> = { ...object.metadata.labels };
  delete labels[Labels.nodeName];
  return labels;
}

/** The Service to create. */
export function exposedService(spec: ExposeSpec, namespace: string, selector: Readonly<Record<string, string>>): {
  apiVersion: 'v1'; kind: 'Service'; metadata: { name: string; namespace: string };
  spec: { ports: Record<string, unknown>[]; selector: Record<string, string>; type: string };
} {
  const servicePort = {
    ...(spec.portName === undefined ? {} : { name: spec.portName }),
    protocol: spec.protocol, port: spec.port,
    targetPort: spec.targetPort ?? spec.port,
    ...(spec.nodePort === undefined ? {} : { nodePort: spec.nodePort }),
  };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: spec.serviceName, namespace }, spec: { ports: [servicePort], selector: { ...selector }, type: spec.type } };
}
