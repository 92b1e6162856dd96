/**
 * The local mode's node network on this host (../node-network.ts decides): the bridge in the host's
 * namespace with the gateway of the pod CIDR, our nftables table `inet <bridge>` (host-only, or egress to the uplink),
 * the registry of the control planes using it and the pods' address leases, all under one state
 * directory (`/run/kvt/net/<bridge>`, 0700: like the namespaces, it does not outlive a reboot). Every
 * change is made under a lock file, so control planes starting and stopping together agree.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KubevirtError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { processStartTicks } from '../../kubelet/runtime/pid-file.js';
import { describeRoute, overlappingRoute, parsePodCidr, type Cidr, type HostRoute } from '../cidr.js';
import { orphanLeases } from '../ipam.js';
import { bridgeAction, bridgeAddress, networkShape, parseNetworkUser, runSessionPid, type BridgeState, type NetworkUser } from '../node-network.js';
import { deleteRuleset, isNodeBridgeName, isSafeInterfaceName, nodeRuleset } from '../nft-ruleset.js';
import { createSandbox, deleteSandbox, drainSandbox, findSandbox, LAST_RESERVED, readLeases, removeSandboxNow, sandboxProcesses, type Sandbox } from './sandbox.js';
import { runTool } from './tools.js';

/** The node network cannot be set up as asked; the message says what to do. */
export class NodeNetworkError extends KubevirtError {}

/** What a node bridge's name must be. */
export const NODE_BRIDGE_NAME_RULE = "an interface name starting with 'kvt', of at most 15 letters, digits, '.', '_' or '-', is needed";

/** Where the node networks' state lives: one directory per bridge. */
export const NODE_NETWORK_ROOT = '/run/kvt/net';

/** What {@link startNodeNetwork} needs. */
export interface NodeNetworkOptions {
  readonly bridge: string;
  readonly cidr: string;
  /** Forward and masquerade the pods' traffic to the host's uplink (`kvt daemon --egress`). */
  readonly egress: boolean;
  /** The control plane registering (recorded with its pods' leases). */
  readonly owner: string;
  readonly log: Logger;
  /** @default `${NODE_NETWORK_ROOT}/<bridge>` */
  readonly stateDir?: string;
}

/** The node network as one control plane uses it. */
export interface NodeNetwork {
  readonly bridge: string;
  /** The pod CIDR, as given (`10.231.0.0/24`). */
  readonly cidr: string;
  /** Creates (or finds) the pod's sandbox: namespace, veth on the bridge, a leased address. */
  createSandbox(podUid: string): Promise<Sandbox>;
  /** The pod's sandbox from its lease (after a restart), if it has one. */
  findSandbox(podUid: string): Promise<Sandbox | undefined>;
  /** The processes left in the pod's namespace. */
  sandboxProcesses(podUid: string): Promise<number[]>;
  /** Removes the pod's sandbox and its lease. */
  deleteSandbox(podUid: string): Promise<void>;
  /** One step of removing the sandbox of a pod whose process ended (sandbox.ts drainSandbox): whether it is gone. */
  drainSandbox(podUid: string, deadline: string | undefined, now: Date): Promise<boolean>;
  /** Removes the sandboxes of this owner whose pods are not in `keep` (and those of `kvt run`s that died): the uids collected. */
  collectGarbage(keep: ReadonlySet<string>): Promise<string[]>;
  /** Unregisters; the bridge and our table go when no control plane and no sandbox is left. */
  release(): Promise<void>;
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const LOCK_WAIT_MS = 30_000;

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Takes the lock file, or breaks it when its holder died; false when a live process holds it. */
async function tryLock(lock: string): Promise<{ readonly taken: boolean; readonly holder: string }> {
  try {
    const file = await open(lock, 'wx', 0o600);
    await file.writeFile(`${process.pid} ${(await processStartTicks(process.pid)) ?? ''}`);
    await file.close();
    return { taken: true, holder: '' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The directory went with a network torn down meanwhile: make it again and retry.
    if (code === 'ENOENT') {
      await mkdir(dirname(lock), { recursive: true, mode: 0o700 });
      return { taken: false, holder: '' };
    }
    if (code !== 'EEXIST') throw e;
  }
  const [pid = '', ticks = ''] = (await readFile(lock, 'utf8').catch(() => '')).split(' ');
  // A holder that died is gone for good; an empty file is a holder between open and write.
  if (pid !== '' && (await processStartTicks(Number(pid))) !== ticks) await rm(lock, { force: true });
  return { taken: false, holder: pid };
}

async function withLock<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(stateDir, 'lock');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const end = Date.now() + LOCK_WAIT_MS;
  for (let attempt = await tryLock(lock); !attempt.taken; attempt = await tryLock(lock)) {
    if (Date.now() > end) throw new NodeNetworkError(`the node network's lock ${lock} is held by process ${attempt.holder || '(unknown)'}: another kvt control plane is starting or stopping`);
    await delay(50);
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

async function liveUsers(usersDir: string, except?: string): Promise<NetworkUser[]> {
  const live: NetworkUser[] = [];
  for (const f of await readdir(usersDir).catch(() => [] as string[])) {
    const user = parseNetworkUser(await readFile(join(usersDir, f), 'utf8').catch(() => ''));
    const alive = user !== undefined && (await processStartTicks(user.pid)) === user.startTicks;
    if (!alive) await rm(join(usersDir, f), { force: true });
    else if (user.owner !== except) live.push(user);
  }
  return live;
}

async function bridgeState(bridge: string): Promise<BridgeState> {
  let links: { linkinfo?: { info_kind?: string } }[];
  try {
    links = JSON.parse(await runTool('ip', ['-j', '-d', 'link', 'show', 'dev', bridge])) as typeof links;
  } catch {
    return { kind: 'absent' };
  }
  const kind = links[0]?.linkinfo?.info_kind ?? '';
  if (kind !== 'bridge') return { kind: 'other', linkKind: kind };
  const addrs = JSON.parse(await runTool('ip', ['-j', '-4', 'addr', 'show', 'dev', bridge])) as { addr_info?: { local?: string; prefixlen?: number }[] }[];
  return { kind: 'bridge', addresses: (addrs[0]?.addr_info ?? []).map((a) => `${a.local ?? ''}/${a.prefixlen ?? ''}`) };
}

async function createBridge(bridge: string, cidr: Cidr): Promise<void> {
  await runTool('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await runTool('ip', ['addr', 'add', bridgeAddress(cidr), 'dev', bridge]);
  await runTool('ip', ['link', 'set', bridge, 'up']);
}

async function uplink(): Promise<string> {
  const routes = JSON.parse(await runTool('ip', ['-j', '-4', 'route', 'show', 'default'])) as { dev?: string }[];
  const dev = routes[0]?.dev;
  if (dev === undefined) throw new NodeNetworkError('--egress: the host has no IPv4 default route to masquerade to');
  if (!isSafeInterfaceName(dev)) throw new NodeNetworkError(`--egress: the default route's device ${JSON.stringify(dev)} is not a name kvt puts into a firewall rule`);
  return dev;
}

/** Applies our table for the shape, and ip_forward: on only while egress is, back to what it was. */
async function applyFirewall(stateDir: string, input: { bridge: string; cidr: Cidr; egress: boolean }): Promise<void> {
  const restore = join(stateDir, 'ip_forward.restore');
  if (input.egress) {
    await runTool('nft', ['-f', '-'], nodeRuleset({ bridge: input.bridge, cidr: input.cidr, egressUplink: await uplink() }));
    if ((await readFile(IP_FORWARD, 'utf8')).trim() === '0') {
      await writeFile(restore, '0', { mode: 0o600 });
      await writeFile(IP_FORWARD, '1');
    }
    return;
  }
  await runTool('nft', ['-f', '-'], nodeRuleset({ bridge: input.bridge, cidr: input.cidr }));
  if ((await readFile(restore, 'utf8').catch(() => '')) === '0') {
    await writeFile(IP_FORWARD, '0');
    await rm(restore, { force: true });
  }
}

async function tearDown(stateDir: string, bridge: string): Promise<void> {
  await runTool('nft', ['-f', '-'], deleteRuleset(bridge));
  await runTool('ip', ['link', 'del', bridge]).catch(() => undefined);
  if ((await readFile(join(stateDir, 'ip_forward.restore'), 'utf8').catch(() => '')) === '0') await writeFile(IP_FORWARD, '0');
  await rm(join(stateDir, 'ip_forward.restore'), { force: true });
  // Nothing is left to keep: the directories go too (a concurrent start makes them again under the lock),
  // with the round-robin position (no neighbour remembers a pod of a bridge that is gone).
  await rm(join(stateDir, 'leases', LAST_RESERVED), { force: true });
  for (const dir of ['users', 'leases']) await rmdir(join(stateDir, dir)).catch(() => undefined);
}

async function checkRoutes(cidr: Cidr, text: string, bridge: string): Promise<void> {
  const routes = JSON.parse(await runTool('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as HostRoute[];
  const clash = overlappingRoute(cidr, routes, bridge);
  if (clash !== undefined) throw new NodeNetworkError(`--pod-cidr ${text} overlaps the host's route ${describeRoute(clash)}: pick a free range with --pod-cidr`);
}

/** Sets up (or joins) the node network and registers `options.owner` on it. */
export async function startNodeNetwork(options: NodeNetworkOptions): Promise<NodeNetwork> {
  const { bridge, owner } = options;
  if (!isNodeBridgeName(bridge)) throw new NodeNetworkError(`--pod-bridge ${JSON.stringify(bridge)}: ${NODE_BRIDGE_NAME_RULE}`);
  const parsed = parsePodCidr(options.cidr, '--pod-cidr');
  if (!parsed.ok) throw new NodeNetworkError(parsed.error);
  const cidr = parsed.cidr;
  const stateDir = options.stateDir ?? join(NODE_NETWORK_ROOT, bridge);
  const usersDir = join(stateDir, 'users');
  const ipamDir = join(stateDir, 'leases');
  const userFile = join(usersDir, `${hash(owner)}.json`);
  const network = { bridge, cidr: options.cidr };
  await withLock(stateDir, async () => {
    await mkdir(usersDir, { recursive: true, mode: 0o700 });
    await mkdir(ipamDir, { recursive: true, mode: 0o700 });
    await checkRoutes(cidr, options.cidr, bridge);
    const others = await liveUsers(usersDir, owner);
    const leases = (await readLeases(ipamDir)).size;
    const action = bridgeAction(bridge, await bridgeState(bridge), cidr, others.length > 0 || leases > 0);
    if (action.kind === 'refuse') throw new NodeNetworkError(action.message);
    if (action.kind === 'recreate') await runTool('ip', ['link', 'del', bridge]);
    if (action.kind !== 'keep') await createBridge(bridge, cidr);
    const me: NetworkUser = { owner, pid: process.pid, startTicks: (await processStartTicks(process.pid)) ?? '', egress: options.egress };
    await writeFile(userFile, JSON.stringify(me), { mode: 0o600 });
    await applyFirewall(stateDir, { bridge, cidr, egress: networkShape([...others, me], leases).egress });
    options.log.info({ bridge, podCIDR: options.cidr, egress: options.egress }, action.kind === 'keep' ? 'Joined the node network' : 'Created the node network');
  }).catch(async (e: unknown) => {
    // Refused before anything was made: no empty state directories are left behind either.
    for (const dir of [usersDir, ipamDir, stateDir]) await rmdir(dir).catch(() => undefined);
    throw e;
  });
  const collect = async (keep: ReadonlySet<string>): Promise<string[]> => {
    const leases = await readLeases(ipamDir);
    const orphans = orphanLeases(leases, owner, keep);
    for (const [, lease] of leases) {
      const pid = runSessionPid(lease?.owner);
      // A `kvt run` that died took its pods with it; its sandbox goes once nothing runs in it.
      if (lease !== undefined && pid !== undefined && lease.owner !== owner && (await processStartTicks(pid)) === undefined && (await sandboxProcesses(lease.podUid)).length === 0) orphans.push({ address: '', podUid: lease.podUid });
    }
    for (const { podUid } of orphans) {
      await removeSandboxNow(ipamDir, podUid);
      options.log.info({ podUid }, 'Removed the sandbox of a Pod that is gone');
    }
    return orphans.map((o) => o.podUid);
  };
  let released: Promise<void> | undefined;
  return {
    bridge, cidr: options.cidr,
    createSandbox: (podUid) => createSandbox(network, ipamDir, podUid, owner),
    findSandbox: (podUid) => findSandbox(ipamDir, podUid),
    sandboxProcesses,
    deleteSandbox: (podUid) => deleteSandbox(ipamDir, podUid),
    drainSandbox: (podUid, deadline, now) => drainSandbox(ipamDir, podUid, deadline, now),
    collectGarbage: collect,
    release: () => (released ??= withLock(stateDir, async () => {
      await rm(userFile, { force: true });
      const shape = networkShape(await liveUsers(usersDir), (await readLeases(ipamDir)).size);
      if (shape.keep) await applyFirewall(stateDir, { bridge, cidr, egress: shape.egress });
      else await tearDown(stateDir, bridge);
      options.log.info({ bridge, kept: shape.keep }, shape.keep ? 'Left the node network to its other users' : 'Removed the node network');
    }).then(async () => {
      // Empty once the network is gone (a concurrent start that made it again keeps it).
      await rmdir(stateDir).catch(() => undefined);
    })),
  };
}
