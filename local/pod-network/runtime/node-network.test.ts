// The node network and pod sandboxes on this host, for real (root, iproute2, nftables): a test bridge
// of its own (kvtt<pid>) and a free /24, namespaces and veths made and removed, the host reaching a
// pod's address over TCP and a pod reaching another, leases surviving a restart, garbage collection,
// and nothing of the test's left in `ip netns`, `ip link` or `nft list tables` afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { IN_CI, IS_ROOT, haveTools } from '../../../test/fixtures/host.js';
import { isPodAddress, parseIpv4, parsePodCidr, type Cidr } from '../cidr.js';
import { addedSince, freeTestCidr, hostNetworkSnapshot, listenInNetns, tcpAnswer, testBridge, type HostNetworkSnapshot } from './host-network.testing.js';
import { NodeNetworkError, startNodeNetwork, type NodeNetwork } from './node-network.js';
import { createSandbox, deleteSandbox, sandboxHostVeth, sandboxNetns } from './sandbox.js';

const AVAILABLE = IS_ROOT && haveTools(['ip', 'nft']);
const log = createLogger({ name: 'test', level: 'silent' });

describe.skipIf(!IN_CI && !AVAILABLE)('the node network and pod sandboxes (real namespaces)', () => {
  const bridge = testBridge('n');
  let cidrText = '';
  let cidr: Cidr;
  let stateDir = '';
  let before: HostNetworkSnapshot;
  const start = (owner: string, extra: Partial<{ cidr: string }> = {}): Promise<NodeNetwork> => startNodeNetwork({ bridge, cidr: extra.cidr ?? cidrText, egress: false, owner, log, stateDir });

  beforeAll(async () => {
    before = hostNetworkSnapshot();
    cidrText = freeTestCidr();
    const parsed = parsePodCidr(cidrText, 'cidr');
    if (!parsed.ok) throw new Error(parsed.error);
    cidr = parsed.cidr;
    stateDir = await mkdtemp(join(tmpdir(), 'kvt-net-'));
  });

  afterAll(async () => {
    // Whatever a failed test left: our namespaces, bridge and table only.
    for (const ns of addedSince(before, hostNetworkSnapshot()).netns) if (ns.startsWith('kvtp-')) execFileSync('ip', ['netns', 'del', ns]);
    execFileSync('sh', ['-c', 'ip link del "$1" 2>/dev/null; nft delete table inet "$1" 2>/dev/null; true', 'sh', bridge]);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('refuses a pod CIDR that overlaps a host route, naming the route', async () => {
    const error = await start('refused', { cidr: '127.1.0.0/24' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeNetworkError);
    expect((error as Error).message).toBe("--pod-cidr 127.1.0.0/24 overlaps the host's route local 127.0.0.0/8 dev lo (table local): pick a free range with --pod-cidr");
    expect(hostNetworkSnapshot().links).not.toContain(bridge);
    expect(await readdir(stateDir).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });

  it('gives pods addresses on the bridge the host reaches, keeps them across a restart, and leaves nothing', async () => {
    const first = await start('plane-a');
    const links = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', bridge], { encoding: 'utf8' })) as { addr_info: { local: string; prefixlen: number }[] }[];
    expect(links[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual([`${cidrText.replace(/\.0\/24$/, '.1')}/24`]);
    expect(execFileSync('nft', ['list', 'table', 'inet', bridge], { encoding: 'utf8' })).toContain(`iifname "${bridge}" oifname != "${bridge}" drop`);

    const a = await first.createSandbox('uid-a');
    const b = await first.createSandbox('uid-b');
    expect(a.netns).toBe(sandboxNetns('uid-a'));
    expect(isPodAddress(cidr, parseIpv4(a.ip) ?? 0) && isPodAddress(cidr, parseIpv4(b.ip) ?? 0)).toBe(true);
    expect(a.ip).not.toBe(b.ip);
    expect(await first.createSandbox('uid-a')).toEqual(a);
    expect((await stat(join(stateDir, 'leases'))).mode & 0o777).toBe(0o700);

    // The host reaches pod a's address; pod b reaches it too (over the bridge).
    const listener = await listenInNetns(a.netns, a.ip, 8080);
    try {
      expect(await tcpAnswer(a.ip, 8080)).toBe('pong');
      const fromB = execFileSync('ip', ['netns', 'exec', b.netns, process.execPath, '-e',
        `const s=require('node:net').connect(8080, ${JSON.stringify(a.ip)});let t='';s.on('data',d=>t+=d);s.on('end',()=>console.log(t));s.on('error',e=>console.log(e.code))`], { encoding: 'utf8' });
      expect(fromB.trim()).toBe('pong');
    } finally {
      listener.kill('SIGKILL');
    }

    // A restart (the same owner starts again): the leases are found, b's pod is gone and collected.
    const second = await start('plane-a');
    expect(await second.findSandbox('uid-a')).toEqual(a);
    expect(await second.collectGarbage(new Set(['uid-a']))).toEqual(['uid-b']);
    expect(hostNetworkSnapshot().netns).not.toContain(b.netns);
    expect(hostNetworkSnapshot().links).not.toContain(sandboxHostVeth('uid-b'));

    // Released while pod a's sandbox is there: the bridge stays for it.
    await first.release();
    await second.release();
    expect(hostNetworkSnapshot().links).toContain(bridge);

    // A start with another CIDR is refused while the bridge is in use.
    const other = freeTestCidr().replace(/^10\.239\./, '10.238.');
    await expect(start('plane-b', { cidr: other })).rejects.toThrow(`the node bridge ${bridge} has ${cidrText.replace(/\.0\/24$/, '.1')}/24, not ${other.replace(/\.0\/24$/, '.1')}/24`);

    const last = await start('plane-a');
    await last.deleteSandbox('uid-a');
    await last.release();
    expect(addedSince(before, hostNetworkSnapshot())).toEqual({ netns: [], links: [], tables: [] });
    // No lease, no user: the state directory went with the network.
    expect(await readdir(stateDir).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  }, 60_000);

  it('the node agent\'s layout: the pod bridge in a namespace of its own (as scripts/cluster.sh makes it)', async () => {
    const bridgeNetns = `kvtt-bns${process.pid}`;
    const ipamDir = join(stateDir, 'agent-ipam');
    execFileSync('ip', ['netns', 'add', bridgeNetns]);
    try {
      execFileSync('ip', ['-n', bridgeNetns, 'link', 'add', 'kvt-pods', 'type', 'bridge']);
      execFileSync('ip', ['-n', bridgeNetns, 'addr', 'add', '10.244.0.1/24', 'dev', 'kvt-pods']);
      execFileSync('ip', ['-n', bridgeNetns, 'link', 'set', 'kvt-pods', 'up']);
      const network = { bridge: 'kvt-pods', bridgeNetns, cidr: '10.244.0.0/24' };
      const pod = await createSandbox(network, ipamDir, 'uid-agent');
      expect(pod.ip).toBe('10.244.0.2');
      expect(execFileSync('ip', ['-n', bridgeNetns, '-br', 'link', 'show', 'master', 'kvt-pods'], { encoding: 'utf8' })).toContain(sandboxHostVeth('uid-agent'));
      const listener = await listenInNetns(pod.netns, pod.ip, 8080);
      try {
        const answer = execFileSync('ip', ['netns', 'exec', bridgeNetns, process.execPath, '-e',
          `const s=require('node:net').connect(8080, ${JSON.stringify(pod.ip)});let t='';s.on('data',d=>t+=d);s.on('end',()=>console.log(t));s.on('error',e=>console.log(e.code))`], { encoding: 'utf8' });
        expect(answer.trim()).toBe('pong');
      } finally {
        listener.kill('SIGKILL');
      }
      await deleteSandbox(ipamDir, 'uid-agent');
      expect(hostNetworkSnapshot().netns).not.toContain(pod.netns);
      // No lease left; the round-robin position stays, so the next pod gets the next address.
      expect(await readdir(ipamDir)).toEqual(['.last-reserved']);
      expect((await createSandbox(network, ipamDir, 'uid-next')).ip).toBe('10.244.0.3');
      await deleteSandbox(ipamDir, 'uid-next');
    } finally {
      execFileSync('ip', ['netns', 'del', bridgeNetns]);
    }
  }, 60_000);
});
