/**
 * A pod's network sandbox, for the node agent (cluster mode) and the local kubelet (local mode): its
 * own network namespace `kvtp-<hash of the pod uid>` with `eth0`, one end of a veth pair whose other
 * end (`kvth<hash>`) joins the node's pod bridge (in the bridge's namespace), an address of the pod
 * CIDR and a default route to the bridge's address. Addresses are leased by files (one per address,
 * ../ipam.ts), so a restarted agent or kubelet finds every pod's address again. Deleting the
 * namespace removes the veth pair with it. Every command is run with an argument array, never a shell.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubevirtError } from '../../../core/errors.js';
import { formatCidr, formatIpv4, gatewayOf, parsePodCidr, type Cidr } from '../cidr.js';
import { chooseAddress, leaseText, parseLease, type Lease } from '../ipam.js';
import { sandboxTeardown } from '../teardown.js';
import { runTool } from './tools.js';

/** The pod network the pods of a node join. */
export interface PodNetwork {
  /** The namespace holding the pod bridge (`kvt-cluster` in the test cluster), or undefined for the host's. */
  readonly bridgeNetns?: string;
  readonly bridge: string;
  /** `10.244.0.0/24`: the first address is the gateway (the bridge), pods get the next ones. */
  readonly cidr: string;
}

/** A pod's sandbox. */
export interface Sandbox {
  readonly netns: string;
  readonly ip: string;
}

/** A sandbox step that failed. */
export class SandboxError extends KubevirtError {}

const short = (uid: string): string => createHash('sha256').update(uid).digest('hex').slice(0, 10);

/** The prefix of every pod sandbox's namespace name. */
export const SANDBOX_NETNS_PREFIX = 'kvtp-';

/** The pod's network namespace name (`kvtp-<hash of its uid>`). */
export const sandboxNetns = (podUid: string): string => `${SANDBOX_NETNS_PREFIX}${short(podUid)}`;

/** The host end of the pod's veth pair, on the bridge (`kvth<hash of its uid>`). */
export const sandboxHostVeth = (podUid: string): string => `kvth${short(podUid)}`;

function podCidr(network: PodNetwork): Cidr {
  const parsed = parsePodCidr(network.cidr, 'pod CIDR');
  if (!parsed.ok) throw new SandboxError(parsed.error);
  return parsed.cidr;
}

async function ip(args: readonly string[], netns?: string): Promise<void> {
  try {
    await runTool('ip', netns === undefined ? args : ['-n', netns, ...args]);
  } catch (e) {
    throw new SandboxError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}

/** Every lease file under `ipamDir` (address → lease; undefined for an unreadable one). */
export async function readLeases(ipamDir: string): Promise<Map<string, Lease | undefined>> {
  const leases = new Map<string, Lease | undefined>();
  for (const f of await readdir(ipamDir).catch(() => [] as string[])) {
    if (f.startsWith('.')) continue;
    leases.set(f, parseLease(await readFile(join(ipamDir, f), 'utf8').catch(() => '')));
  }
  return leases;
}

/** The file holding the last address handed out (dot-named: not a lease), for round-robin allocation. */
export const LAST_RESERVED = '.last-reserved';

/**
 * Allocates (or finds again) the pod's address: a file per address under `ipamDir`, created
 * exclusively, chosen round-robin after the last address handed out (../ipam.ts chooseAddress).
 */
async function allocate(ipamDir: string, cidr: Cidr, lease: Lease): Promise<string> {
  await mkdir(ipamDir, { recursive: true, mode: 0o700 });
  const lastReserved = (await readFile(join(ipamDir, LAST_RESERVED), 'utf8').catch(() => '')).trim();
  const choice = chooseAddress(cidr, await readLeases(ipamDir), lease.podUid, lastReserved);
  if (choice.kind === 'held') return choice.address;
  for (const address of choice.kind === 'free' ? choice.candidates : []) {
    try {
      await writeFile(join(ipamDir, address), leaseText(lease), { flag: 'wx', mode: 0o600 });
    } catch {
      // Taken meanwhile by another allocator: try the next.
      continue;
    }
    // Only the order depends on it: two allocators racing here at worst reorder the next choice.
    await writeFile(join(ipamDir, LAST_RESERVED), `${address}\n`, { mode: 0o600 });
    return address;
  }
  throw new SandboxError(`pod CIDR ${formatCidr(cidr)} has no free address`);
}

async function netnsExists(name: string): Promise<boolean> {
  const out = await runTool('ip', ['netns', 'list']);
  return out.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Whether the sandbox's eth0 is up with `address` (a half-made sandbox, cut short by a kill, is not). */
async function sandboxComplete(netns: string, address: string): Promise<boolean> {
  const out = await runTool('ip', ['-n', netns, '-j', '-4', 'addr', 'show', 'dev', 'eth0']).catch(() => '[]');
  const links = JSON.parse(out || '[]') as { addr_info?: { local?: string }[] }[];
  return links.some((l) => l.addr_info?.some((a) => a.local === address) === true);
}

/** Removes the namespace (with the veth pair) and nothing else. */
async function removeNetns(podUid: string): Promise<void> {
  const netns = sandboxNetns(podUid);
  if (await netnsExists(netns)) await ip(['netns', 'del', netns]);
  // A pair made but not yet moved into the namespace (creation cut short) is on the host.
  await runTool('ip', ['link', 'del', sandboxHostVeth(podUid)]).catch(() => undefined);
}

async function makeSandbox(network: PodNetwork, cidr: Cidr, podUid: string, address: string): Promise<void> {
  const netns = sandboxNetns(podUid);
  const hostEnd = sandboxHostVeth(podUid);
  const podEnd = `kvtc${short(podUid)}`;
  await ip(['netns', 'add', netns]);
  await ip(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', podEnd]);
  await ip(['link', 'set', podEnd, 'netns', netns]);
  if (network.bridgeNetns !== undefined) await ip(['link', 'set', hostEnd, 'netns', network.bridgeNetns]);
  await ip(['link', 'set', hostEnd, 'master', network.bridge, 'up'], network.bridgeNetns);
  await ip(['link', 'set', 'lo', 'up'], netns);
  await ip(['link', 'set', podEnd, 'name', 'eth0'], netns);
  await ip(['addr', 'add', `${address}/${cidr.prefix}`, 'dev', 'eth0'], netns);
  await ip(['link', 'set', 'eth0', 'up'], netns);
  await ip(['route', 'add', 'default', 'via', formatIpv4(gatewayOf(cidr))], netns);
}

/**
 * Creates the pod's sandbox (idempotent: a complete one is kept, with its address; a half-made one is
 * made again). `owner` is recorded in the lease: the control plane whose pod it is (local mode).
 */
export async function createSandbox(network: PodNetwork, ipamDir: string, podUid: string, owner?: string): Promise<Sandbox> {
  const cidr = podCidr(network);
  const netns = sandboxNetns(podUid);
  const address = await allocate(ipamDir, cidr, { podUid, ...(owner === undefined ? {} : { owner }) });
  if (await netnsExists(netns)) {
    if (await sandboxComplete(netns, address)) return { netns, ip: address };
    await removeNetns(podUid);
  }
  try {
    await makeSandbox(network, cidr, podUid, address);
  } catch (e) {
    await deleteSandbox(ipamDir, podUid).catch(() => undefined);
    throw e;
  }
  return { netns, ip: address };
}

/** The pod's sandbox as its lease records it (after a restart), or undefined when it has none. */
export async function findSandbox(ipamDir: string, podUid: string): Promise<Sandbox | undefined> {
  for (const [address, lease] of await readLeases(ipamDir)) if (lease?.podUid === podUid) return { netns: sandboxNetns(podUid), ip: address };
  return undefined;
}

/** The processes still in the pod's namespace (none when it does not exist). */
export async function sandboxProcesses(podUid: string): Promise<number[]> {
  const out = await runTool('ip', ['netns', 'pids', sandboxNetns(podUid)]).catch(() => '');
  return out.split('\n').map((l) => Number(l.trim())).filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * One step of removing the sandbox of a pod whose process has ended (../teardown.ts decides): waits
 * for what still runs in it, kills that `SANDBOX_DRAIN_MS` past `deadline`, removes the sandbox and
 * its lease once nothing is left. Resolves with whether it is gone; call again until it is.
 */
export async function drainSandbox(ipamDir: string, podUid: string, deadline: string | undefined, now: Date): Promise<boolean> {
  const left = await sandboxProcesses(podUid);
  const step = sandboxTeardown(left.length, deadline, now);
  if (step === 'kill') killAll(left);
  if (step !== 'remove') return false;
  await deleteSandbox(ipamDir, podUid);
  return true;
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Kills whatever still runs in the sandbox of a pod that is gone, then removes it and its lease (nothing to wait for). */
export async function removeSandboxNow(ipamDir: string, podUid: string): Promise<void> {
  killAll(await sandboxProcesses(podUid));
  await deleteSandbox(ipamDir, podUid);
}

/** Removes the pod's sandbox and frees its address (idempotent). Its processes must be gone first. */
export async function deleteSandbox(ipamDir: string, podUid: string): Promise<void> {
  await removeNetns(podUid);
  for (const [address, lease] of await readLeases(ipamDir)) {
    if (lease?.podUid === podUid) await rm(join(ipamDir, address), { force: true });
  }
}
