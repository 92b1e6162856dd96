import { describe, expect, it } from 'vitest';
import { parseAnyCidr, type Cidr } from './cidr.js';
import { bridgeAction, bridgeAddress, networkShape, parseNetworkUser, runSessionPid, type BridgeState } from './node-network.js';

const cidr = parseAnyCidr('10.231.0.0/24') as Cidr;

describe('bridgeAction', () => {
  it.each<[string, BridgeState, boolean, string]>([
    ['absent: create it', { kind: 'absent' }, false, 'create'],
    ['ours with the same address: keep it', { kind: 'bridge', addresses: ['10.231.0.1/24'] }, true, 'keep'],
    ['another address, unused: make it again', { kind: 'bridge', addresses: ['10.232.0.1/24'] }, false, 'recreate'],
    ['no address, unused: make it again', { kind: 'bridge', addresses: [] }, false, 'recreate'],
    ['another address, in use: refuse',
      { kind: 'bridge', addresses: ['10.232.0.1/24'] }, true,
      'refuse: the node bridge kvt0 has 10.232.0.1/24, not 10.231.0.1/24 (--pod-cidr 10.231.0.0/24), and another control plane or its pods use it: start with the same --pod-cidr, or stop them first'],
    ['not a bridge: refuse', { kind: 'other', linkKind: 'veth' }, false, 'refuse: kvt0 exists and is not a bridge (a veth link): name another node bridge with --pod-bridge'],
  ])('%s', (_name, state, inUse, expected) => {
    const action = bridgeAction('kvt0', state, cidr, inUse);
    expect(action.kind === 'refuse' ? `refuse: ${action.message}` : action.kind).toBe(expected);
  });

  it('puts the gateway on the bridge with the CIDR\'s prefix', () => {
    expect(bridgeAddress(cidr)).toBe('10.231.0.1/24');
  });
});

describe('networkShape', () => {
  const user = (egress: boolean) => ({ owner: 'o', pid: 1, startTicks: '1', egress });
  it.each([
    ['nobody and no sandbox: remove it', [], 0, { keep: false, egress: false }],
    ['sandboxes of a stopped daemon: keep it, host-only', [], 2, { keep: true, egress: false }],
    ['one user with egress: egress', [user(false), user(true)], 0, { keep: true, egress: true }],
    ['users without egress: host-only', [user(false)], 0, { keep: true, egress: false }],
  ])('%s', (_name, live, leases, expected) => {
    expect(networkShape(live, leases)).toEqual(expected);
  });
});

describe('records', () => {
  it.each([
    ['{"owner":"kvt-run:12","pid":12,"startTicks":"345","egress":false}', { owner: 'kvt-run:12', pid: 12, startTicks: '345', egress: false }],
    ['{"owner":"x","pid":"12","startTicks":"345","egress":false}', undefined],
    ['{"owner":"x"', undefined],
  ])('user %s', (text, expected) => {
    expect(parseNetworkUser(text)).toEqual(expected);
  });
  it.each([['kvt-run:1234', 1234], ['kvt-daemon:/var/lib/kvt', undefined], [undefined, undefined], ['kvt-run:12x', undefined]])('run session pid of %s', (owner, pid) => {
    expect(runSessionPid(owner)).toBe(pid);
  });
});
