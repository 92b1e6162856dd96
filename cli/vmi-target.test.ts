import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { newRawVmi } from '../test/builders/vmi.js';
import { consoleTimeoutMs } from './commands/console.js';
import { runWaitStep } from './vmi-target.js';

const inPhase = (phase: string | undefined): VirtualMachineInstance => ({ ...newRawVmi(), status: phase === undefined ? {} : { phase } });

describe('runWaitStep (kvt console waiting for its VMI)', () => {
  it.each<[string, VirtualMachineInstance | undefined, boolean, string]>([
    ['missing', undefined, false, 'fail Error: virtualmachineinstance.kubevirt.io "demo" not found'],
    ['Running', inPhase('Running'), false, 'running'],
    ['Running after the deadline', inPhase('Running'), true, 'running'],
    ['Pending', inPhase('Pending'), false, 'wait'],
    ['no phase yet', inPhase(undefined), false, 'wait'],
    ['Scheduled, deadline passed', inPhase('Scheduled'), true, 'fail Error: Timeout trying to connect to the virtual machine instance'],
    ['Succeeded', inPhase('Succeeded'), false, 'fail Error: VMI demo is not running (phase Succeeded)'],
    ['Failed', inPhase('Failed'), false, 'fail Error: VMI demo is not running (phase Failed)'],
  ])('%s', (_name, vmi, timedOut, expected) => {
    const step = runWaitStep('demo', vmi, timedOut);
    expect(step.state === 'fail' ? `fail ${step.line}` : step.state).toBe(expected);
  });
});

describe('consoleTimeoutMs (virtctl console --timeout, in minutes)', () => {
  it.each<[string | undefined, number | RegExp]>([
    [undefined, 300_000],
    ['0', 0],
    ['1', 60_000],
    ['1.5', /whole number of minutes/],
    ['soon', /whole number of minutes/],
  ])('%j', (raw, expected) => {
    if (typeof expected === 'number') expect(consoleTimeoutMs(raw)).toBe(expected);
    else expect(() => consoleTimeoutMs(raw)).toThrow(expected);
  });
});
