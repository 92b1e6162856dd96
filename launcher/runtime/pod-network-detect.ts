/**
 * Finds the launcher's pod network (read-only): the launcher runs in its pod's network namespace
 * (the node agent's and the local kubelet's sandbox, or a cluster pod's own) when that namespace is
 * not the host's (/proc/self/ns/net differs from /proc/1/ns/net) and it has an `eth0` with an IPv4
 * address. Then the facts come from `ip -j` and /etc/resolv.conf. Anywhere else (`kvt run` without a
 * pod sandbox, a test on the host) there is no pod network, and the guest keeps QEMU user networking.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseIpAddrJson, parseIpRouteJson, parseResolvConf, POD_INTERFACE, type PodNetworkFacts } from '../network/pod-facts.js';

const run = promisify(execFile);

/** Where the facts are read; tests point them elsewhere. */
export interface DetectOptions {
  readonly ownNamespace?: string;
  readonly hostNamespace?: string;
  /** Where `ip netns` keeps its named namespaces. @default /run/netns */
  readonly namedNamespaces?: string;
  readonly resolvConf?: string;
}

async function inNamedNamespace(own: string, dir: string): Promise<boolean> {
  const mine = await stat(own);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const other = await stat(join(dir, name)).catch(() => undefined);
    if (other !== undefined && other.ino === mine.ino && other.dev === mine.dev) return true;
  }
  return false;
}

/**
 * Whether this process runs in a network namespace other than the host's: its namespace differs
 * from PID 1's, or, where PID 1's cannot be read (a sandbox hiding it), it is one of the named
 * namespaces `ip netns` made (the pod sandboxes are). False when it cannot tell.
 */
export async function inPodNamespace(opts: DetectOptions = {}): Promise<boolean> {
  const own = opts.ownNamespace ?? '/proc/self/ns/net';
  try {
    const [mine, host] = await Promise.all([readlink(own), readlink(opts.hostNamespace ?? '/proc/1/ns/net')]);
    return mine !== host;
  } catch {
    return inNamedNamespace(own, opts.namedNamespaces ?? '/run/netns').catch(() => false);
  }
}

async function ipJson(args: readonly string[]): Promise<string> {
  try {
    return (await run('ip', ['-j', ...args], { encoding: 'utf8' })).stdout;
  } catch {
    return '[]';
  }
}

/** The pod network's facts, or undefined when this launcher has none (see the module comment). */
export async function detectPodNetwork(opts: DetectOptions = {}): Promise<PodNetworkFacts | undefined> {
  if (!(await inPodNamespace(opts))) return undefined;
  const link = parseIpAddrJson(await ipJson(['addr', 'show', 'dev', POD_INTERFACE]), POD_INTERFACE);
  if (link === undefined) return undefined;
  const routes = parseIpRouteJson(await ipJson(['-4', 'route', 'show', 'dev', POD_INTERFACE]), link.ip);
  const resolv = parseResolvConf(await readFile(opts.resolvConf ?? '/etc/resolv.conf', 'utf8').catch(() => ''));
  const gateway = routes.find((r) => r.destination === '0.0.0.0/0')?.gateway;
  return { ...link, routes, ...(gateway === undefined ? {} : { gateway }), ...resolv };
}
