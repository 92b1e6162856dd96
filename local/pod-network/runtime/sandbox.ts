/**
 * A pod's network sandbox on the node agent's machine: its own network namespace with `eth0`, one
 * end of a veth pair whose other end joins the pod bridge (in the bridge's namespace), an address
 * of the pod CIDR and a default route to the bridge. Addresses are allocated by files (one per
 * address, holding the pod uid), so a restarted agent finds every pod's address again. Every
 * command is run with an argument array, never through a shell.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubevirtError } from '../../../core/errors.js';

const run = promisify(execFile);

/** The pod network the agent's pods join (made by scripts/cluster.sh for the test cluster). */
export interface PodNetwork {
  /** The namespace holding the pod bridge (`kvt-cluster`), or undefined for the host's. */
  readonly bridgeNetns?: string;
  readonly bridge: string;
  /** `10.244.0.0/24`: .1 is the gateway (the bridge), pods get .2 upwards. */
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

/** The pod's network namespace name (`kvtp-<hash of its uid>`). */
export const sandboxNetns = (podUid: string): string => `kvtp-${short(podUid)}`;

function cidrParts(cidr: string): { readonly base: number[]; readonly prefix: number } {
  const [addr = '', prefix = ''] = cidr.split('/');
  const base = addr.split('.').map(Number);
  if (base.length !== 4 || base.some((n) => !Number.isInteger(n) || n < 0 || n > 255) || prefix !== '24') throw new SandboxError(`pod CIDR ${cidr}: a /24 of IPv4 is needed`);
  return { base, prefix: 24 };
}

async function ip(args: readonly string[], netns?: string): Promise<void> {
  const argv = netns === undefined ? [...args] : ['netns', 'exec', netns, 'ip', ...args];
  try {
    await run('ip', argv);
  } catch (e) {
    throw new SandboxError(`ip ${argv.join(' ')} failed: ${(e as { stderr?: string }).stderr?.trim() ?? String(e)}`, { cause: e });
  }
}

/** Allocates (or finds again) the pod's address: a file per address under `ipamDir`. */
async function allocate(ipamDir: string, cidr: string, podUid: string): Promise<string> {
  const { base } = cidrParts(cidr);
  await mkdir(ipamDir, { recursive: true, mode: 0o700 });
  const taken = new Map<string, string>();
  for (const f of await readdir(ipamDir)) taken.set(f, (await readFile(join(ipamDir, f), 'utf8').catch(() => '')).trim());
  for (const [address, uid] of taken) if (uid === podUid) return address;
  for (let host = 2; host < 255; host++) {
    const address = `${base[0]}.${base[1]}.${base[2]}.${host}`;
    if (taken.has(address)) continue;
    try {
      await writeFile(join(ipamDir, address), podUid, { flag: 'wx', mode: 0o600 });
      return address;
    } catch {
      continue;
    }
  }
  throw new SandboxError(`pod CIDR ${cidr} has no free address`);
}

async function netnsExists(name: string): Promise<boolean> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Creates the pod's sandbox (idempotent: an existing one is kept, with its address). */
export async function createSandbox(network: PodNetwork, ipamDir: string, podUid: string): Promise<Sandbox> {
  const netns = sandboxNetns(podUid);
  const address = await allocate(ipamDir, network.cidr, podUid);
  if (await netnsExists(netns)) return { netns, ip: address };
  const gateway = `${address.split('.').slice(0, 3).join('.')}.1`;
  const hostEnd = `kvh${short(podUid).slice(0, 10)}`;
  const podEnd = `kvc${short(podUid).slice(0, 10)}`;
  await ip(['netns', 'add', netns]);
  try {
    await ip(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', podEnd]);
    await ip(['link', 'set', podEnd, 'netns', netns]);
    if (network.bridgeNetns !== undefined) await ip(['link', 'set', hostEnd, 'netns', network.bridgeNetns]);
    await ip(['link', 'set', hostEnd, 'master', network.bridge, 'up'], network.bridgeNetns);
    await ip(['link', 'set', 'lo', 'up'], netns);
    await ip(['link', 'set', podEnd, 'name', 'eth0'], netns);
    await ip(['addr', 'add', `${address}/24`, 'dev', 'eth0'], netns);
    await ip(['link', 'set', 'eth0', 'up'], netns);
    await ip(['route', 'add', 'default', 'via', gateway], netns);
  } catch (e) {
    await deleteSandbox(network, ipamDir, podUid);
    throw e;
  }
  return { netns, ip: address };
}

/** Removes the pod's sandbox and frees its address (idempotent). Processes must be gone first. */
export async function deleteSandbox(_network: PodNetwork, ipamDir: string, podUid: string): Promise<void> {
  const netns = sandboxNetns(podUid);
  // Deleting the namespace removes eth0 and with it the veth's other end on the bridge.
  if (await netnsExists(netns)) await ip(['netns', 'del', netns]);
  for (const f of await readdir(ipamDir).catch(() => [] as string[])) {
    if ((await readFile(join(ipamDir, f), 'utf8').catch(() => '')).trim() === podUid) await rm(join(ipamDir, f), { force: true });
  }
}
