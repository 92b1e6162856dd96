// The node ruleset at work, in namespaces of this test only (nothing on the host changes): a
// "node" namespace with ip_forward=1 holding the pod bridge and an uplink veth to an "outside"
// namespace, and a pod sandbox on the bridge. Without our table the node forwards the pod's
// traffic outside (so the checks below can fail); host-only, the pod still reaches the node but
// nothing beyond; with egress it reaches outside, masqueraded to the node's uplink address.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, IS_ROOT, haveTools } from '../../../test/fixtures/host.js';
import { parseAnyCidr, type Cidr } from '../cidr.js';
import { deleteRuleset, nodeRuleset } from '../nft-ruleset.js';
import { listenInNetns, tcpAnswerFrom } from './host-network.testing.js';
import { createSandbox, deleteSandbox, type Sandbox } from './sandbox.js';

const AVAILABLE = IS_ROOT && haveTools(['ip', 'nft']);
const NODE = `kvtt-fwn${process.pid}`;
const OUTSIDE = `kvtt-fwo${process.pid}`;
const BRIDGE = 'kvtfw0';
const UPLINK = 'kvtfwu';
const cidr = parseAnyCidr('10.77.0.0/24') as Cidr;

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const nftIn = (netns: string, text: string): void => { execFileSync('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: text }); };

describe.skipIf(!IN_CI && !AVAILABLE)('the node ruleset in namespaces of the test (forwarding with ip_forward=1)', () => {
  let dir = '';
  let pod: Sandbox;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-fw-'));
    ip('netns', 'add', NODE);
    ip('netns', 'add', OUTSIDE);
    ip('-n', NODE, 'link', 'add', BRIDGE, 'type', 'bridge');
    ip('-n', NODE, 'addr', 'add', '10.77.0.1/24', 'dev', BRIDGE);
    ip('-n', NODE, 'link', 'set', BRIDGE, 'up');
    ip('-n', NODE, 'link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', OUTSIDE);
    ip('-n', NODE, 'addr', 'add', '10.78.0.1/24', 'dev', UPLINK);
    ip('-n', NODE, 'link', 'set', UPLINK, 'up');
    ip('-n', OUTSIDE, 'addr', 'add', '10.78.0.2/24', 'dev', 'eth0');
    ip('-n', OUTSIDE, 'link', 'set', 'eth0', 'up');
    // ip_forward is the node namespace's own (net.ipv4.ip_forward is per namespace).
    execFileSync('ip', ['netns', 'exec', NODE, process.execPath, '-e', "require('node:fs').writeFileSync('/proc/sys/net/ipv4/ip_forward', '1')"]);
    pod = await createSandbox({ bridge: BRIDGE, bridgeNetns: NODE, cidr: '10.77.0.0/24' }, join(dir, 'ipam'), 'uid-fw');
  });

  afterAll(async () => {
    if (pod !== undefined) await deleteSandbox(join(dir, 'ipam'), 'uid-fw');
    for (const ns of [NODE, OUTSIDE]) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    await rm(dir, { recursive: true, force: true });
  });

  it('forwards without our table, drops off the bridge host-only, masquerades with egress', async () => {
    const outside = await listenInNetns(OUTSIDE, '10.78.0.2', 8080, true);
    const node = await listenInNetns(NODE, '10.77.0.1', 8081);
    try {
      // No table: the node routes the pod's traffic out (the outside knows the way back).
      ip('-n', OUTSIDE, 'route', 'add', '10.77.0.0/24', 'via', '10.78.0.1');
      expect(tcpAnswerFrom(pod.netns, '10.78.0.2', 8080)).toBe(`pong from ${pod.ip}`);

      // Host-only: nothing leaves the bridge; the node itself (the bridge's address) still answers.
      nftIn(NODE, nodeRuleset({ bridge: BRIDGE, cidr }));
      expect(tcpAnswerFrom(pod.netns, '10.78.0.2', 8080, 2000)).toBe('timeout');
      expect(tcpAnswerFrom(pod.netns, '10.77.0.1', 8081)).toBe('pong');
      // Nor does anything from outside get onto the bridge.
      const inPod = await listenInNetns(pod.netns, pod.ip, 8082);
      try {
        expect(tcpAnswerFrom(OUTSIDE, pod.ip, 8082, 2000)).toBe('timeout');
      } finally {
        inPod.kill('SIGKILL');
      }

      // Egress: out through the uplink, masqueraded, so the outside needs no route back.
      ip('-n', OUTSIDE, 'route', 'del', '10.77.0.0/24');
      nftIn(NODE, nodeRuleset({ bridge: BRIDGE, cidr, egressUplink: UPLINK }));
      expect(tcpAnswerFrom(pod.netns, '10.78.0.2', 8080)).toBe('pong from 10.78.0.1');

      nftIn(NODE, deleteRuleset(BRIDGE));
      expect(execFileSync('ip', ['netns', 'exec', NODE, 'nft', 'list', 'tables'], { encoding: 'utf8' })).toBe('');
    } finally {
      outside.kill('SIGKILL');
      node.kill('SIGKILL');
    }
  }, 60_000);
});
