import { describe, expect, it } from 'vitest';
import { ProgressTracker, appliedPresets, elapsed, shownState } from './progress.js';

const vmi = (status: unknown, annotations?: Record<string, string>) => ({ kind: 'VirtualMachineInstance', metadata: { name: 'demo', namespace: 'default', annotations }, status });

describe('shownState', () => {
  it.each([
    [{ kind: 'VirtualMachine', metadata: { name: 'demo' }, status: { printableStatus: 'Starting' } }, 'Starting'],
    [{ kind: 'VirtualMachine', metadata: { name: 'demo' }, status: {} }, undefined],
    [vmi({ phase: 'Scheduled', nodeName: 'local' }), 'Scheduled (on local)'],
    [vmi({ phase: 'Failed', nodeName: 'local', reason: 'LauncherDied' }), 'Failed (LauncherDied)'],
    [vmi({ phase: 'Pending' }), 'Pending'],
    [{ kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'rs' }, status: { replicas: 2, readyReplicas: 1 } }, '2 replicas, 1 ready'],
    [{ kind: 'VirtualMachine', metadata: { name: 'demo', deletionTimestamp: '2026-12-02T00:00:00Z' }, status: { printableStatus: 'Running' } }, 'Terminating'],
    [{ kind: 'VirtualMachineInstance', metadata: { name: 'demo', deletionTimestamp: '2026-12-02T00:00:00Z' }, status: { phase: 'Running', nodeName: 'local' } }, 'Terminating'],
    [{ kind: 'VirtualMachineInstance', metadata: { name: 'demo', deletionTimestamp: '2026-12-02T00:00:00Z' }, status: { phase: 'Succeeded', nodeName: 'local' } }, 'Succeeded (on local)'],
    [{ kind: 'VirtualMachineInstancePreset', metadata: { name: 'small' } }, undefined],
  ])('%j → %s', (object, expected) => {
    expect(shownState(object)).toBe(expected);
  });
});

describe('ProgressTracker', () => {
  it('prints a line only when the shown state changes, with the time since the start', () => {
    const t = new ProgressTracker(1_000);
    expect(t.observe(vmi({ phase: 'Pending' }), 1_200)).toEqual(['[  0.2s] VirtualMachineInstance/demo: Pending']);
    expect(t.observe(vmi({ phase: 'Pending' }), 1_300)).toEqual([]);
    expect(t.observe(vmi({ phase: 'Running', nodeName: 'local' }), 3_450)).toEqual(['[  2.5s] VirtualMachineInstance/demo: Running (on local)']);
  });
  it('reports presets applied by admission once', () => {
    const t = new ProgressTracker(0);
    const annotated = vmi({ phase: 'Pending' }, { 'virtualmachinepreset.kubevirt.io/small': 'kubevirt.io/v1' });
    expect(t.observe(annotated, 100)).toEqual(['[  0.1s] VirtualMachineInstance/demo: preset small applied', '[  0.1s] VirtualMachineInstance/demo: Pending']);
    expect(t.observe(annotated, 200)).toEqual([]);
    expect(appliedPresets(annotated)).toEqual(['small']);
  });
  it('says an object it showed is deleted, once', () => {
    const t = new ProgressTracker(0);
    t.observe(vmi({ phase: 'Succeeded' }), 0);
    expect(t.deleted(vmi({}), 1_000)).toEqual(['[  1.0s] VirtualMachineInstance/demo: deleted']);
    expect(t.deleted(vmi({}), 1_100)).toEqual([]);
  });
  it('formats elapsed time', () => {
    expect(elapsed(-5)).toBe('0.0s');
    expect(elapsed(61_234)).toBe('61.2s');
  });
});
