// The agent poller's schedule and reports, against a guest agent scripted as the answers virsh
// prints (the real agent is the e2e's: test/integration/guest-agent.e2e.test.ts): nothing is
// reported while no agent answers, the facts once it does, `connected: false` when it stops, and
// a guest without an agent is asked ever less often.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import type { AgentFacts } from '../protocol/index.js';
import { FakeHypervisor } from '../../test/fakes/hypervisor.js';
import { pollGuestAgent } from './agent-poller.js';

const log = createLogger({ name: 'test', level: 'silent' });

const ANSWERS: Readonly<Record<string, unknown>> = {
  'guest-info': { version: '7.2.0', supported_commands: [] },
  'guest-network-get-interfaces': [
    { name: 'lo', 'hardware-address': '00:00:00:00:00:00', 'ip-addresses': [{ 'ip-address': '127.0.0.1', prefix: 8 }] },
    { name: 'enp1s0', 'hardware-address': '02:00:00:00:00:01', 'ip-addresses': [{ 'ip-address': '10.0.2.2', prefix: 24 }] },
  ],
  'guest-get-osinfo': { id: 'debian', 'version-id': '12' },
  'guest-get-host-name': { 'host-name': 'guest' },
  'guest-get-timezone': { zone: 'UTC', offset: 0 },
};

/** A guest whose agent answers only while `up`; every command asked is recorded. */
class AgentGuest extends FakeHypervisor {
  up = false;
  readonly asked: string[] = [];

  agentCommand(_name: string, command: string): Promise<string> {
    const { execute } = JSON.parse(command) as { execute: string };
    this.asked.push(execute);
    if (!this.up) return Promise.reject(new Error('Guest agent is not responding: QEMU guest agent is not connected'));
    return Promise.resolve(JSON.stringify({ return: ANSWERS[execute] }));
  }
}

function next(reports: AgentFacts[], count: number): Promise<void> {
  return new Promise((done) => {
    const timer = setInterval(() => {
      if (reports.length < count) return;
      clearInterval(timer);
      done();
    }, 5);
  });
}

describe('pollGuestAgent', () => {
  it('reports the facts when the agent answers and connected=false when it stops', async () => {
    const guest = new AgentGuest();
    const reports: AgentFacts[] = [];
    const stop = pollGuestAgent(guest, 'default_v', { publish: (f) => reports.push(f), log }, { intervalMs: 20, minBackoffMs: 10, maxBackoffMs: 40 });
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(reports).toEqual([]);
      guest.up = true;
      await next(reports, 1);
      expect(reports[0]).toEqual({
        connected: true, version: '7.2.0', interfaces: [{ interfaceName: 'enp1s0', mac: '02:00:00:00:00:01', ipAddresses: ['10.0.2.2'] }],
        osInfo: { id: 'debian', versionId: '12' }, hostname: 'guest', timezone: 'UTC, 0',
      });
      guest.up = false;
      await next(reports, 2);
      expect(reports[1]).toMatchObject({ connected: false, osInfo: { id: 'debian', versionId: '12' } });
    } finally {
      stop();
    }
  });

  it('asks a guest without an agent ever less often, up to the ceiling', async () => {
    const guest = new AgentGuest();
    const stop = pollGuestAgent(guest, 'default_v', { publish: () => undefined, log }, { minBackoffMs: 10, maxBackoffMs: 80 });
    await new Promise((r) => setTimeout(r, 400));
    stop();
    // 10 + 20 + 40 + 80 + 80 + … ms: about 6 rounds in 400 ms, where a fixed 10 ms would make 40.
    const rounds = guest.asked.filter((c) => c === 'guest-info').length;
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(rounds).toBeLessThanOrEqual(9);
    expect(guest.asked.every((c) => c === 'guest-info')).toBe(true);
  });

  it('stops asking once stopped', async () => {
    const guest = new AgentGuest();
    guest.up = true;
    const stop = pollGuestAgent(guest, 'default_v', { publish: () => undefined, log }, { intervalMs: 10, minBackoffMs: 10 });
    await new Promise((r) => setTimeout(r, 60));
    stop();
    const asked = guest.asked.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(guest.asked.length).toBeLessThanOrEqual(asked + 5);
  });

  it('does nothing on a port without agent commands', () => {
    const stop = pollGuestAgent(new FakeHypervisor(), 'default_v', { publish: () => { throw new Error('no report expected'); }, log });
    stop();
  });
});
