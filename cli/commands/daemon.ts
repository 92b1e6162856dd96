import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../core/log.js';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import { socketAnswers } from '../../local/kubelet/runtime/kubelet.js';
import { serveApiSocket } from '../../local/runtime/api-server.js';
import { LOCAL_NODE, startFailure, startLocalControlPlane, storeJournal } from '../../local/runtime/control-plane.js';
import { daemonSocket } from '../daemon-client.js';
import { checkLogLevel, UsageError, type Command, type CommandIo } from '../command.js';
import { stopSignal } from '../signals.js';
import { REGISTRY_MIRROR_FLAGS, REGISTRY_MIRROR_USAGE, registryMirrorsOf, useRegistryMirrors } from '../registry-mirror-flags.js';
import { POD_NETWORK_FLAGS, POD_NETWORK_USAGE, podNetworkOf } from '../pod-network-flags.js';
import type { LocalNetworkOptions } from '../../local/runtime/control-plane.js';

function parseOptions(args: readonly string[]): { dataDir: string; socket: string; logLevel: string; network: LocalNetworkOptions; registryMirrors: readonly string[] } {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'data-dir': { type: 'string' }, socket: { type: 'string' }, 'log-level': { type: 'string', default: 'info' }, ...POD_NETWORK_FLAGS, ...REGISTRY_MIRROR_FLAGS },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  checkLogLevel(values['log-level']);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  return { dataDir, socket: values.socket ?? daemonSocket(dataDir), logLevel: values['log-level'], network: podNetworkOf(values), registryMirrors: registryMirrorsOf(values) };
}

async function daemon(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  useRegistryMirrors(options.registryMirrors);
  if (await socketAnswers(options.socket)) {
    io.err(`error: a kvt daemon already serves ${options.socket}; stop it first (or pick another --data-dir)\n`);
    return 1;
  }
  const log = createLogger({ name: 'kvt-daemon', level: options.logLevel });
  const stopped = stopSignal();
  let plane;
  try {
    plane = await startLocalControlPlane({ dataDir: options.dataDir, runRoot: defaultRunRoot(process.getuid?.() ?? 0, process.env), log, persist: true, owner: `kvt-daemon:${resolve(options.dataDir)}`, network: options.network });
  } catch (e) {
    io.err(`${startFailure(e)}\n`);
    return 1;
  }
  try {
    const server = await serveApiSocket(options.socket, plane.kube, { subresource: plane.subresource });
    io.out(`kvt daemon: serving ${options.socket} (node ${LOCAL_NODE}, objects in ${storeJournal(options.dataDir)}, pods on ${options.network.bridge} ${options.network.podCidr}${options.network.egress ? ' with egress' : ', host-only'})\n`);
    await stopped;
    await server.close();
    io.out('kvt daemon: stopped; running guests keep running and are picked up by the next kvt daemon\n');
    return 0;
  } finally {
    await plane.stop();
  }
}

/** `kvt daemon`: the local control plane in the background, serving the user commands over a unix socket. */
export const daemonCommand: Command = {
  name: 'daemon',
  summary: 'serve the local control plane to kvt apply/get/delete/console/… over a unix socket',
  usage: [
    'kvt daemon [--data-dir D] [--socket S] [--log-level L] [--pod-cidr CIDR] [--pod-bridge NAME] [--egress] [--registry-mirror HOST=URL]',
    '',
    'Runs the local control plane (API server with admission, virt-api subresources, controllers, node',
    'handler, launchers) until SIGTERM or SIGINT. Objects are kept in <data dir>/store.journal and survive',
    'a restart; guests keep running while it is down and are adopted again (never started twice) when it',
    'comes back.',
    '',
    'Each launcher pod runs in its own network namespace (a veth on the node bridge, an address of the pod',
    'CIDR: the pod\'s IP). The pod network is host-only unless --egress: pods reach this host (the bridge\'s',
    'address) and each other, nothing beyond. Root is needed. Stopped, it leaves the bridge while pods run.',
    '',
    'Options:',
    '  --data-dir D   objects, images, volumes, launcher logs   [$KVT_DATA_DIR, /var/lib/kvt as root, ~/.local/share/kvt]',
    '  --socket S     the socket to serve   [<data dir>/kvt.sock]',
    '  --log-level L  fatal, error, warn, info, debug, trace or silent (JSON lines on stderr)   [info]',
    ...POD_NETWORK_USAGE,
    ...REGISTRY_MIRROR_USAGE,
  ].join('\n'),
  run: daemon,
};
