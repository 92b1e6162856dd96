// kvt guestosinfo|userlist|fslist and addvolume|removevolume as a user runs them, against a real
// daemon socket serving the in-memory store: KubeVirt's answer for a guest without an agent, the
// guest OS info of one with an agent, and the hotplug commands' "not supported" line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { MemoryStore } from '../../store/runtime/memory.js';
import { startSocketDaemon, type SocketDaemon } from '../socket-daemon.testing.js';
import { newRawVmi, withName } from '../../test/builders/vmi.js';
import { addVolumeCommand, removeVolumeCommand } from './hotplug.js';
import { fsListCommand, guestOsInfoCommand, userListCommand } from './guest-agent.js';
import type { Command } from '../command.js';

let store: MemoryStore;
let daemon: SocketDaemon;

beforeAll(async () => {
  daemon = await startSocketDaemon('agent');
  ({ store } = daemon);
  const vmi = await store.create(newRawVmi(withName('v', 'default'), (v) => { delete v.metadata.uid; }));
  await store.updateStatus<VirtualMachineInstance>({ ...vmi, status: { phase: 'Running', nodeName: 'local' } });
  const withAgent = await store.create(newRawVmi(withName('agent', 'default'), (v) => { delete v.metadata.uid; }));
  await store.updateStatus<VirtualMachineInstance>({
    ...withAgent,
    status: { phase: 'Running', nodeName: 'local', conditions: [{ type: 'AgentConnected', status: 'True' }], guestOSInfo: { id: 'debian', name: 'Debian GNU/Linux', versionId: '12' } },
  });
});

afterAll(() => daemon.close());

async function run(command: Command, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await command.run([...args, '--socket', daemon.server.path], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('kvt guestosinfo|userlist|fslist', () => {
  it.each<[Command, string]>([
    [guestOsInfoCommand, 'getting guestosinfo of'],
    [userListCommand, 'listing users of'],
    [fsListCommand, 'listing filesystems of'],
  ])('%s of a running VMI without a guest agent: KubeVirt\'s answer, exit 1', async (command, doing) => {
    expect(await run(command, 'v')).toEqual({
      code: 1, out: '',
      err: `Error ${doing} VirtualMachineInstance v, an error on the server ("Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \\"v\\": VMI does not have guest agent connected") has prevented the request from succeeding\n`,
    });
  });

  it('guestosinfo of a VMI whose agent is connected prints its status.guestOSInfo as virt-api\'s answer', async () => {
    const r = await run(guestOsInfoCommand, 'agent');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toEqual({ os: { id: 'debian', name: 'Debian GNU/Linux', versionId: '12' } });
  });

  it.each([[userListCommand, 'the logged-in users'], [fsListCommand, 'the filesystems']] as const)('%s of a VMI whose agent is connected says it is not read yet', async (command, what) => {
    await expect(run(command, 'agent')).rejects.toThrow(`kubevirt-ts launchers do not read ${what} from it yet`);
  });

  it('of a missing VMI says it is not found', async () => {
    expect(await run(userListCommand, 'nope')).toEqual({ code: 1, out: '', err: 'Error listing users of VirtualMachineInstance nope, virtualmachineinstance.kubevirt.io "nope" not found\n' });
  });
});

describe('kvt addvolume|removevolume', () => {
  it.each([addVolumeCommand, removeVolumeCommand])('$name says hotplug is not supported, naming the feature, exit 1', async (command) => {
    let err = '';
    const code = await command.run(['v', '--volume-name', 'data', '--persist'], { out: () => undefined, err: (t) => { err += t; } });
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`^error: kvt ${command.name}: volume hotplug \\(KubeVirt's HotplugVolumes feature\\) is not supported by kubevirt-ts; .*\\n$`));
  });
});
