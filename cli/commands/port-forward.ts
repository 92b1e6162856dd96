/**
 * `kvt port-forward TYPE/NAME [--address A] PORT|LOCAL:REMOTE…` (as virtctl port-forward): listens
 * on A:LOCAL (127.0.0.1 by default) and joins each TCP connection to the VMI's REMOTE port. In the
 * local mode the VMI is reached at its launcher pod's IP from this host (cli/vmi-endpoint.ts): the
 * launcher's masquerade DNATs the pod IP's ports to the guest, a bridge-bound guest holds it. With
 * `--stdio` one connection is joined to stdin/stdout (ssh's ProxyCommand, as virtctl's). Through a
 * cluster (`--kubeconfig`) each connection is a websocket of the VMI's (or VM's) `portforward`
 * subresource through the API server, which virt-api joins to the port via the VMI's virt-handler.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { Duplex } from 'node:stream';
import { connectTcp, forwardStdioTo, listenForwardTo, type TcpForwarder } from '../../local/runtime/tcp-forward.js';
import { ApiError } from '../../core/errors.js';
import { CLUSTER_OPTIONS, clusterTarget } from '../cluster-target.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { DAEMON_OPTIONS, DAEMON_OPTIONS_HELP, withDaemon } from '../daemon-client.js';
import { parseForwardTarget, parsePortPair, type ForwardTarget, type PortPair } from '../forward-args.js';
import { untilInterrupted } from '../signals.js';
import { EndpointError, vmiEndpoint } from '../vmi-endpoint.js';

/** A parsed `kvt port-forward` command line. */
export interface PortForwardArgs {
  readonly target: ForwardTarget;
  readonly namespace: string;
  readonly ports: readonly PortPair[];
  readonly address: string;
  readonly stdio: boolean;
  readonly daemon: { readonly 'data-dir'?: string; readonly socket?: string };
  /** `--kubeconfig`/`--context`, and the namespace given (target's or -n), when through a cluster. */
  readonly cluster?: { readonly kubeconfig: string; readonly context?: string; readonly namespace?: string };
}

/** Parses the command line (pure but for parseArgs): a target, then at least one port; one with --stdio. */
export function parsePortForwardArgs(args: readonly string[]): PortForwardArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS, address: { type: 'string' }, stdio: { type: 'boolean', default: false } },
    allowPositionals: true, strict: true,
  });
  const [word, ...portWords] = positionals;
  if (word === undefined || portWords.length === 0) throw new UsageError('name a target and a port, e.g. `kvt port-forward vmi/demo 8080:80`');
  const target = parseForwardTarget(word);
  const ports = portWords.map(parsePortPair);
  if (values.stdio && ports.length !== 1) throw new UsageError('--stdio forwards exactly one port');
  const namespace = targetNamespace(target, values.namespace);
  const cluster = clusterOf(values, target);
  return { target, namespace, ports, address: listenAddress(values.address), stdio: values.stdio, daemon: daemonValues(values), ...(cluster === undefined ? {} : { cluster }) };
}

/** The cluster of `--kubeconfig`/`--context` and the namespace named (the target's or -n), or undefined for the daemon. */
function clusterOf(values: { readonly kubeconfig?: string; readonly context?: string; readonly namespace?: string }, target: ForwardTarget): PortForwardArgs['cluster'] {
  if (values.kubeconfig === undefined) {
    if (values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
    return undefined;
  }
  const given = target.namespace ?? values.namespace;
  return { kubeconfig: values.kubeconfig, ...(values.context === undefined ? {} : { context: values.context }), ...(given === undefined ? {} : { namespace: given }) };
}

/** `--address`: an IP, or localhost (127.0.0.1, the default). */
function listenAddress(raw: string | undefined): string {
  if (raw === undefined || raw === 'localhost') return '127.0.0.1';
  if (isIP(raw) === 0) throw new UsageError(`--address must be an IP address or localhost, not ${JSON.stringify(raw)}`);
  return raw;
}

/** The target's `.NAMESPACE`, else `-n`, else default; the two must agree. */
export function targetNamespace(target: ForwardTarget, flag: string | undefined): string {
  if (target.namespace !== undefined && flag !== undefined && target.namespace !== flag) throw new UsageError(`the target's namespace ${target.namespace} and -n ${flag} differ`);
  return target.namespace ?? flag ?? 'default';
}

/** `--data-dir` and `--socket`, as given. */
export function daemonValues(values: { readonly 'data-dir'?: string; readonly socket?: string }): { 'data-dir'?: string; socket?: string } {
  return { ...(values['data-dir'] === undefined ? {} : { 'data-dir': values['data-dir'] }), ...(values.socket === undefined ? {} : { socket: values.socket }) };
}

/** Listens on each port (or joins stdio to the one) with `open` making each connection's far side. */
async function forwardWith(parsed: PortForwardArgs, open: (remote: number) => Promise<Duplex>, io: CommandIo): Promise<number> {
  const [first] = parsed.ports;
  if (parsed.stdio && first !== undefined) {
    await forwardStdioTo(await open(first.remote), process.stdin, process.stdout);
    return 0;
  }
  const forwarders: TcpForwarder[] = [];
  try {
    for (const pair of parsed.ports) {
      const forwarder = await listenForwardTo(parsed.address, pair.local, () => open(pair.remote), (e) => io.err(`error forwarding to port ${pair.remote}: ${e.message}\n`));
      forwarders.push(forwarder);
      io.out(`Forwarding from ${parsed.address}:${forwarder.port} -> ${pair.remote}\n`);
    }
    await untilInterrupted(io);
  } finally {
    await Promise.all(forwarders.map((f) => f.close()));
  }
  return 0;
}

/** Through a cluster: each connection is a portforward websocket of the target (a VM's reaches its VMI). */
async function clusterForward(parsed: PortForwardArgs, cluster: NonNullable<PortForwardArgs['cluster']>, io: CommandIo): Promise<number> {
  const at = await clusterTarget(cluster);
  if (at === undefined) throw new UsageError('--kubeconfig is required here');
  const resource = parsed.target.kind === 'vm' ? 'virtualmachines' : 'virtualmachineinstances';
  try {
    return await forwardWith(parsed, (remote) => at.subresources.openPortForward(resource, at.namespace, parsed.target.name, remote), io);
  } catch (e: unknown) {
    if (!(e instanceof ApiError)) throw e;
    io.err(`error: ${e.message}\n`);
    return 1;
  }
}

async function portForward(args: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parsePortForwardArgs(args);
  if (parsed.cluster !== undefined) return clusterForward(parsed, parsed.cluster, io);
  const resolve = (): Promise<string> => withDaemon(parsed.daemon, async (kube) => (await vmiEndpoint(kube, parsed.target, parsed.namespace)).ip);
  let ip: string;
  try {
    ip = await resolve();
  } catch (e: unknown) {
    if (!(e instanceof EndpointError)) throw e;
    io.err(`error: ${e.message}\n`);
    return 1;
  }
  // Listening, each connection looks the pod IP up again: a restarted VMI gets a new launcher pod.
  return forwardWith(parsed, async (remote) => connectTcp(parsed.stdio ? ip : await resolve(), remote), io);
}

/** `kvt port-forward`. */
export const portForwardCommand: Command = {
  name: 'port-forward',
  summary: 'forward local TCP ports to a VMI\'s ports (as virtctl port-forward)',
  usage: [
    'kvt port-forward vmi/NAME[.NS]|vm/NAME[.NS] [--address A] PORT|LOCAL:REMOTE|:REMOTE… [-n NS]',
    'kvt port-forward --stdio vmi/NAME[.NS] PORT',
    '',
    'Listens on A:LOCAL (a free port for :REMOTE) and joins each connection to the VMI\'s REMOTE',
    'port: in the local mode the VMI is reached at its launcher pod\'s IP (masquerade forwards the',
    'pod IP\'s ports to the guest; a bridge-bound guest holds the pod IP). Prints one',
    '"Forwarding from A:LOCAL -> REMOTE" line per port and forwards until Ctrl-C. A vm/NAME target',
    'reaches the VM\'s running VMI. Only TCP is forwarded. Through a cluster (--kubeconfig) each',
    'connection is a websocket of the VMI\'s (or VM\'s) portforward subresource through the API server,',
    'which virt-api joins to the port via the VMI\'s virt-handler (RBAC: get on',
    'virtualmachineinstances/portforward or virtualmachines/portforward in subresources.kubevirt.io).',
    '',
    'Options:',
    '  --address A          the local address to listen on: an IP or localhost   [127.0.0.1]',
    '  --stdio              join one connection to stdin/stdout instead of listening (an ssh ProxyCommand)',
    ...DAEMON_OPTIONS_HELP,
    '  --kubeconfig FILE    forward through this cluster\'s API server instead of the local daemon',
    '  --context NAME       the kubeconfig context (with --kubeconfig)   [its current one]',
  ].join('\n'),
  run: portForward,
};
