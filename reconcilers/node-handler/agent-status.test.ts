// The guest agent's facts in the VMI status, as KubeVirt's handler merges them: by MAC,
// infoSource "domain, guest-agent" / "guest-agent", interfaceName, the guest's addresses except
// for masquerade, guestOSInfo, AgentConnected while the agent answers.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance, VirtualMachineInstanceNetworkInterface } from '../../crd-gen/index.js';
import type { AgentFacts } from '../../launcher/protocol/index.js';
import { newVmi, withInterface } from '../../test/builders/vmi.js';
import { formatKubeTime } from '../../core/time.js';
import { mergeAgentInterfaces, withAgentFacts } from './agent-status.js';
import { VmiCondition } from '../../core/vmi-conditions.js';
import { handlerStatus } from './status.js';
import type { LauncherView } from './phase.js';

const NOW = new Date('2026-12-07T16:00:00.000Z');
const MAC = '02:00:00:00:00:01';
const MAC2 = '02:00:00:00:00:02';

const masquerade = newVmi(withInterface({ name: 'default', masquerade: {} }, { pod: {} }));
const bridge = newVmi(withInterface({ name: 'default', bridge: {} }, { pod: {} }), withInterface({ name: 'second', bridge: {} }, { pod: {} }));

const podNic: VirtualMachineInstanceNetworkInterface = { name: 'default', mac: MAC, ipAddress: '10.231.0.5', ipAddresses: ['10.231.0.5'], infoSource: 'domain', podInterfaceName: 'eth0' };
const agent = (interfaces: AgentFacts['interfaces'], connected = true): AgentFacts => ({ connected, interfaces });
const enp1s0 = { interfaceName: 'enp1s0', mac: '02:00:00:00:00:01'.toUpperCase(), ipAddresses: ['10.0.2.2', 'fe80::1'] };

describe('mergeAgentInterfaces', () => {
  it.each<[string, VirtualMachineInstance, VirtualMachineInstanceNetworkInterface[], AgentFacts | undefined, VirtualMachineInstanceNetworkInterface[]]>([
    ['no agent (the demo guest): the domain entries stay', masquerade, [podNic], undefined, [podNic]],
    ['an agent that does not answer: the domain entries stay', masquerade, [podNic], agent([enp1s0], false), [podNic]],
    ['masquerade, matched by MAC (any case): the pod IP stays, the guest names the NIC', masquerade, [podNic], agent([enp1s0]),
      [{ ...podNic, interfaceName: 'enp1s0', infoSource: 'domain, guest-agent' }]],
    ['bridge, matched by MAC: the guest\'s addresses', bridge, [podNic], agent([{ ...enp1s0, ipAddresses: ['10.231.0.5', 'fd00::5'] }]),
      [{ ...podNic, ipAddress: '10.231.0.5', ipAddresses: ['10.231.0.5', 'fd00::5'], interfaceName: 'enp1s0', infoSource: 'domain, guest-agent' }]],
    ['bridge, the guest reports no address yet: the domain\'s stay', bridge, [podNic], agent([{ ...enp1s0, ipAddresses: [] }]),
      [{ ...podNic, interfaceName: 'enp1s0', infoSource: 'domain, guest-agent' }]],
    ['a NIC only the agent knows is listed after the domain\'s', bridge, [podNic, { name: 'second', mac: MAC2, infoSource: 'domain' }],
      agent([{ interfaceName: 'docker0', mac: '02:42:00:00:00:09', ipAddresses: ['172.17.0.1'] }, { interfaceName: 'wg0', ipAddresses: [] }]), [
        podNic, { name: 'second', mac: MAC2, infoSource: 'domain' },
        { interfaceName: 'docker0', mac: '02:42:00:00:00:09', ipAddress: '172.17.0.1', ipAddresses: ['172.17.0.1'], infoSource: 'guest-agent' },
        { interfaceName: 'wg0', infoSource: 'guest-agent' },
      ]],
    ['a domain entry without MAC matches nothing', bridge, [{ name: 'default', infoSource: 'domain' }], agent([enp1s0]),
      [{ name: 'default', infoSource: 'domain' }, { interfaceName: 'enp1s0', mac: enp1s0.mac, ipAddress: '10.0.2.2', ipAddresses: ['10.0.2.2', 'fe80::1'], infoSource: 'guest-agent' }]],
  ])('%s', (_name, vmi, domain, facts, want) => {
    expect(mergeAgentInterfaces(vmi, domain, facts)).toEqual(want);
  });
});

describe('withAgentFacts', () => {
  const osInfo = { id: 'debian', name: 'Debian GNU/Linux', versionId: '12' };
  const connected = { type: VmiCondition.agentConnected, status: 'True', lastTransitionTime: formatKubeTime(NOW) };
  it.each<[string, Parameters<typeof withAgentFacts>[0], AgentFacts | undefined, Parameters<typeof withAgentFacts>[0]]>([
    ['no agent: no condition, no guestOSInfo', { phase: 'Running' }, undefined, { phase: 'Running' }],
    ['an agent that answers: AgentConnected=True and guestOSInfo', { phase: 'Running' }, { connected: true, interfaces: [], osInfo },
      { phase: 'Running', conditions: [connected], guestOSInfo: osInfo }],
    ['an agent that stopped answering: the condition goes, the last OS info stays', { phase: 'Running', conditions: [connected], guestOSInfo: osInfo },
      { connected: false, interfaces: [] }, { phase: 'Running', conditions: [], guestOSInfo: osInfo }],
    ['connected without OS info (guest-get-osinfo unsupported): the condition only', { phase: 'Running' }, { connected: true, interfaces: [], osInfo: {} },
      { phase: 'Running', conditions: [connected] }],
    ['a VMI no longer running: no condition', { phase: 'Succeeded', conditions: [connected] }, { connected: true, interfaces: [], osInfo },
      { phase: 'Succeeded', conditions: [] }],
  ])('%s', (_name, status, facts, want) => {
    expect(withAgentFacts(status, facts, NOW)).toEqual(want);
  });
});

describe('handlerStatus with the agent', () => {
  const running = (): VirtualMachineInstance => {
    const vmi = newVmi(withInterface({ name: 'default', masquerade: {}, macAddress: MAC }, { pod: {} }));
    vmi.status = { phase: 'Running', nodeName: 'n1' };
    return vmi;
  };
  const view = (facts?: AgentFacts): LauncherView => ({
    seen: true, gone: false, domain: { state: 'Running', reason: 'Unknown' }, lastDomain: { state: 'Running', reason: 'Unknown' }, phase: { phase: 'Running' },
    interfaces: [{ name: 'default', mac: MAC, ipAddress: '10.231.0.5', ipAddresses: ['10.231.0.5'], infoSource: 'domain' }],
    ...(facts === undefined ? {} : { agent: facts }),
  });

  it('the demo guest (no agent): infoSource domain, no AgentConnected, no guestOSInfo', () => {
    const next = handlerStatus(running(), view({ connected: false, interfaces: [] }), NOW);
    expect(next?.interfaces).toEqual([{ name: 'default', mac: MAC, ipAddress: '10.231.0.5', ipAddresses: ['10.231.0.5'], infoSource: 'domain' }]);
    expect(next?.conditions?.map((c) => c.type)).not.toContain(VmiCondition.agentConnected);
    expect(next?.guestOSInfo).toBeUndefined();
  });

  it('a guest with an agent: merged interface, AgentConnected, guestOSInfo', () => {
    const next = handlerStatus(running(), view({ connected: true, interfaces: [enp1s0], osInfo: { id: 'debian' } }), NOW);
    expect(next?.interfaces).toEqual([{ name: 'default', mac: MAC, ipAddress: '10.231.0.5', ipAddresses: ['10.231.0.5'], infoSource: 'domain, guest-agent', interfaceName: 'enp1s0' }]);
    expect(next?.conditions).toContainEqual({ type: VmiCondition.agentConnected, status: 'True', lastTransitionTime: formatKubeTime(NOW) });
    expect(next?.guestOSInfo).toEqual({ id: 'debian' });
  });
});
