import { describe, expect, it } from 'vitest';
import { commandEvents, domainEvents, phaseEvents } from './events.js';
import type { HandlerAction } from './plan.js';
import type { PhaseDecision } from './phase.js';

describe('phaseEvents', () => {
  it.each<[string, string | undefined, PhaseDecision | undefined, string[]]>([
    ['no decision', 'Running', undefined, []],
    ['phase kept', 'Running', { phase: 'Running' }, []],
    ['Scheduled → Running', 'Scheduled', { phase: 'Running' }, ['Normal Started VirtualMachineInstance started.']],
    ['Running → Succeeded', 'Running', { phase: 'Succeeded' }, ['Normal Stopped The VirtualMachineInstance was shut down.']],
    ['Running → Failed, no message', 'Running', { phase: 'Failed', reason: 'X' }, ['Warning Stopped The VirtualMachineInstance crashed.']],
    ['Scheduled → Failed with the launcher\'s message', 'Scheduled', { phase: 'Failed', reason: 'LaunchFailed', message: 'no memory requested' },
      ['Warning SyncFailed no memory requested', 'Warning Stopped The VirtualMachineInstance crashed.']],
    ['unset → Scheduled (not the handler\'s)', undefined, { phase: 'Scheduled' }, []],
  ])('%s', (_name, previous, decision, expected) => {
    expect(phaseEvents(previous, decision).map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual(expected);
  });
});

describe('domainEvents', () => {
  it.each([
    [false, false, []],
    [false, true, ['Created']],
    [true, true, []],
    [true, false, []],
  ])('defined before %s, now %s', (before, now, expected) => {
    expect(domainEvents(before, now).map((e) => e.reason)).toEqual(expected);
  });
});

describe('commandEvents', () => {
  const shutdown: HandlerAction = { kind: 'send', command: 'shutdown' };
  const destroy: HandlerAction = { kind: 'send', command: 'destroy' };
  it.each<[string, HandlerAction, boolean, string | undefined, string[]]>([
    ['first shutdown', shutdown, true, undefined, ['Normal ShuttingDown Signaled Graceful Shutdown']],
    ['a re-sent shutdown', shutdown, false, undefined, []],
    ['destroy', destroy, false, undefined, ['Normal Deleted VirtualMachineInstance stopping']],
    ['a failed shutdown', shutdown, true, 'could not shutdown the domain: gone', ['Warning SyncFailed could not shutdown the domain: gone']],
    ['a handover', { kind: 'handOver' }, true, undefined, []],
  ])('%s', (_name, action, first, failure, expected) => {
    expect(commandEvents(action, first, failure).map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual(expected);
  });
});
