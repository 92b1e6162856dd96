import { describe, expect, it } from 'vitest';
import {
  DomainNotFoundError,
  HypervisorError,
  LibvirtDomainState as S,
  NON_EXISTENT,
  domainStatusFromLibvirt,
  sameStatus,
  watchDomain,
  type DomainStatus,
  type Hypervisor,
} from './hypervisor.js';

describe('domainStatusFromLibvirt', () => {
  it.each([
    // [libvirt state, libvirt reason, state, KubeVirt reason]
    [S.NoState, 0, 'NoState', 'Unknown'],
    [S.Running, 1, 'Running', 'Unknown'], // booted: KubeVirt keeps no running reasons
    [S.Running, 5, 'Running', 'Unknown'], // unpaused
    [S.Blocked, 0, 'Running', 'Blocked'],
    [S.PMSuspended, 0, 'Running', 'PMSuspended'],
    [S.Paused, 0, 'Paused', 'Unknown'],
    [S.Paused, 1, 'Paused', 'User'],
    [S.Paused, 2, 'Paused', 'Migration'],
    [S.Paused, 5, 'Paused', 'IOError'],
    [S.Paused, 6, 'Paused', 'Watchdog'],
    [S.Paused, 8, 'Paused', 'ShuttingDown'],
    [S.Paused, 10, 'Paused', 'Crashed'],
    [S.Paused, 11, 'Paused', 'StartingUp'],
    [S.Paused, 13, 'Paused', 'PostcopyFailed'],
    [S.Shutdown, 0, 'Shutdown', 'Unknown'],
    [S.Shutdown, 1, 'Shutdown', 'User'],
    [S.Shutoff, 0, 'Shutoff', 'Unknown'],
    [S.Shutoff, 1, 'Shutoff', 'Shutdown'],
    [S.Shutoff, 2, 'Shutoff', 'Destroyed'],
    [S.Shutoff, 3, 'Shutoff', 'Crashed'],
    [S.Shutoff, 4, 'Shutoff', 'Migrated'],
    [S.Shutoff, 5, 'Shutoff', 'Saved'],
    [S.Shutoff, 6, 'Shutoff', 'Failed'],
    [S.Shutoff, 7, 'Shutoff', 'FromSnapshot'],
    [S.Crashed, 0, 'Crashed', 'Unknown'],
    [S.Crashed, 1, 'Crashed', 'Panicked'],
  ] as const)('state %i reason %i → %s/%s', (state, reason, expectedState, expectedReason) => {
    expect(domainStatusFromLibvirt(state, reason)).toEqual({ state: expectedState, reason: expectedReason });
  });

  it.each([
    [S.Shutoff, 8], // VIR_DOMAIN_SHUTOFF_DAEMON (libvirt ≥ 4.10), which KubeVirt does not name
    [S.Paused, 99],
    [S.Crashed, 7],
  ])('names a reason it does not know Unknown (state %i reason %i)', (state, reason) => {
    expect(domainStatusFromLibvirt(state, reason).reason).toBe('Unknown');
  });

  it('maps a state number from a newer libvirt to NoState/Unknown', () => {
    expect(domainStatusFromLibvirt(42, 3)).toEqual({ state: 'NoState', reason: 'Unknown' });
  });
});

describe('sameStatus', () => {
  it('compares state and reason', () => {
    expect(sameStatus({ state: 'Paused', reason: 'User' }, { state: 'Paused', reason: 'User' })).toBe(true);
    expect(sameStatus({ state: 'Paused', reason: 'User' }, { state: 'Paused', reason: 'IOError' })).toBe(false);
    expect(sameStatus(undefined, { state: 'Running', reason: 'Unknown' })).toBe(false);
  });
});

describe('HypervisorError', () => {
  it('names the operation, the domain and the cause', () => {
    const cause = new Error('Domain not found');
    const err = new DomainNotFoundError('start', 'default_vmi', 'no domain with matching name', { cause });
    expect(err).toBeInstanceOf(HypervisorError);
    expect(err.name).toBe('DomainNotFoundError');
    expect(err.message).toBe('Could not start domain "default_vmi": no domain with matching name');
    expect(err.cause).toBe(cause);
    expect(new HypervisorError('define', undefined, 'bad XML').message).toBe('Could not define: bad XML');
  });
});

type Step = DomainStatus | Error;

/** A hypervisor whose `status` plays a script, one step per call (the last step repeats). */
class ScriptedHypervisor implements Hypervisor {
  calls = 0;
  constructor(private readonly script: readonly Step[]) {}
  async status(): Promise<DomainStatus> {
    const step = this.script[Math.min(this.calls, this.script.length - 1)];
    this.calls += 1;
    if (step === undefined) throw new Error('empty script');
    if (step instanceof Error) throw step;
    return step;
  }
  private unused(): Promise<never> {
    return Promise.reject(new Error('not used by watchDomain'));
  }
  define(): Promise<string> { return this.unused(); }
  start(): Promise<void> { return this.unused(); }
  shutdown(): Promise<void> { return this.unused(); }
  destroy(): Promise<void> { return this.unused(); }
  undefine(): Promise<void> { return this.unused(); }
  domainXml(): Promise<string> { return this.unused(); }
  pause(): Promise<void> { return this.unused(); }
  resume(): Promise<void> { return this.unused(); }
  close(): Promise<void> { return Promise.resolve(); }
}

const running: DomainStatus = { state: 'Running', reason: 'Unknown' };
const paused: DomainStatus = { state: 'Paused', reason: 'User' };
const destroyed: DomainStatus = { state: 'Shutoff', reason: 'Destroyed' };

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((done) => setTimeout(done, 2));
  }
}

describe('watchDomain', () => {
  it('reports the first status, then each change with the previous one', async () => {
    const h = new ScriptedHypervisor([running, running, paused, paused, running, destroyed]);
    const seen: [DomainStatus, DomainStatus | undefined][] = [];
    const errors: unknown[] = [];
    const stop = watchDomain(h, 'd', (s, prev) => seen.push([s, prev]), { intervalMs: 1, onError: (e) => errors.push(e) });
    await until(() => h.calls >= 8);
    stop();
    expect(seen).toEqual([[running, undefined], [paused, running], [running, paused], [destroyed, running]]);
    expect(errors).toEqual([]);
  });

  it('reports a vanished domain as NonExistent', async () => {
    const h = new ScriptedHypervisor([running, new DomainNotFoundError('read the state of', 'd', 'gone')]);
    const seen: DomainStatus[] = [];
    const stop = watchDomain(h, 'd', (s) => seen.push(s), { intervalMs: 1, onError: () => undefined });
    await until(() => h.calls >= 4);
    stop();
    expect(seen).toEqual([running, NON_EXISTENT]);
  });

  it('reports a repeated failure once, and again after a success', async () => {
    const dead = new HypervisorError('read the state of', 'd', 'client socket is closed');
    const h = new ScriptedHypervisor([dead, dead, dead, running, dead, dead]);
    const errors: unknown[] = [];
    const seen: DomainStatus[] = [];
    const stop = watchDomain(h, 'd', (s) => seen.push(s), { intervalMs: 1, onError: (e) => errors.push(e) });
    await until(() => h.calls >= 8);
    stop();
    expect(errors).toEqual([dead, dead]);
    expect(seen).toEqual([running]);
  });

  it('keeps watching when the listener throws, and hands that error to onError', async () => {
    const h = new ScriptedHypervisor([running, paused]);
    const errors: unknown[] = [];
    const boom = new Error('listener bug');
    let calls = 0;
    const stop = watchDomain(h, 'd', () => { calls += 1; throw boom; }, { intervalMs: 1, onError: (e) => errors.push(e) });
    await until(() => calls >= 2);
    stop();
    expect(errors).toEqual([boom, boom]);
  });

  it('calls nothing after stop', async () => {
    const h = new ScriptedHypervisor([running, paused, running, paused]);
    let calls = 0;
    const stop = watchDomain(h, 'd', () => { calls += 1; }, { intervalMs: 1, onError: () => undefined });
    stop();
    await new Promise((done) => setTimeout(done, 30));
    expect(calls).toBe(0);
  });
});
