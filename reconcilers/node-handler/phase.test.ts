// The domain → VMI phase table of kubevirt/controllers.md §5 (virt-handler's
// calculateVmPhaseForStatusReason), on admitted VMIs and launcher views as the connection keeps them.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainStatus } from '../../launcher/protocol/index.js';
import { newVmi, withSpec } from '../../test/builders/vmi.js';
import { acpiShutdownExpected, vmiPhase, type LauncherView } from './phase.js';

function inPhase(phase: string, ...edits: ((vmi: VirtualMachineInstance) => void)[]): VirtualMachineInstance {
  const vmi = newVmi();
  vmi.status = { phase, nodeName: 'n1' };
  for (const edit of edits) edit(vmi);
  return vmi;
}

const noAcpi = (vmi: VirtualMachineInstance): void => { vmi.spec.domain.features = { acpi: { enabled: false } }; };
const grace0 = (vmi: VirtualMachineInstance): void => { vmi.spec.terminationGracePeriodSeconds = 0; };

/** A live launcher whose current (and last existing) domain is `state`/`reason`. */
function domain(state: DomainStatus['state'], reason: string): LauncherView {
  const status = { state, reason };
  return { seen: true, gone: false, domain: status, lastDomain: status, phase: { phase: 'Running' } };
}

const NON_EXISTENT: DomainStatus = { state: 'NoState', reason: 'NonExistent' };

describe('vmiPhase: a domain that exists (§5)', () => {
  it.each<[string, VirtualMachineInstance, LauncherView, string, string | undefined]>([
    ['Shutoff/Crashed → Failed', inPhase('Running'), domain('Shutoff', 'Crashed'), 'Failed', 'DomainCrashed'],
    ['Crashed/Panicked → Failed', inPhase('Running'), domain('Crashed', 'Panicked'), 'Failed', 'DomainPanicked'],
    ['Destroyed with ACPI and grace > 0 → Failed', inPhase('Running'), domain('Shutoff', 'Destroyed'), 'Failed', 'DomainDestroyed'],
    ['Destroyed without ACPI → Succeeded', inPhase('Running', noAcpi), domain('Shutoff', 'Destroyed'), 'Succeeded', undefined],
    ['Destroyed with grace 0 → Succeeded', inPhase('Running', grace0), domain('Shutoff', 'Destroyed'), 'Succeeded', undefined],
    ['Shutoff/Shutdown → Succeeded', inPhase('Running'), domain('Shutoff', 'Shutdown'), 'Succeeded', undefined],
    ['Shutoff/Saved → Succeeded', inPhase('Running'), domain('Shutoff', 'Saved'), 'Succeeded', undefined],
    ['Shutoff/FromSnapshot → Succeeded', inPhase('Running'), domain('Shutoff', 'FromSnapshot'), 'Succeeded', undefined],
    ['Shutoff/Migrated keeps the phase', inPhase('Running'), domain('Shutoff', 'Migrated'), 'Running', undefined],
    ['Shutdown (shutting down) keeps Running', inPhase('Running'), domain('Shutdown', 'User'), 'Running', undefined],
    ['Paused/User → Running', inPhase('Scheduled'), domain('Paused', 'User'), 'Running', undefined],
    ['Paused/PostcopyFailed → Failed', inPhase('Running'), domain('Paused', 'PostcopyFailed'), 'Failed', 'PostcopyFailed'],
    ['Running → Running (from Scheduled)', inPhase('Scheduled'), domain('Running', 'Unknown'), 'Running', undefined],
    ['Running/Blocked → Running', inPhase('Running'), domain('Running', 'Blocked'), 'Running', undefined],
    ['Running/PMSuspended → Running', inPhase('Running'), domain('Running', 'PMSuspended'), 'Running', undefined],
  ])('%s', (_what, vmi, view, phase, reason) => {
    const decided = vmiPhase(vmi, view);
    expect(decided?.phase).toBe(phase);
    expect(decided?.reason).toBe(reason);
  });

  it('a final domain decides even after the domain was undefined and the launcher left', () => {
    const view: LauncherView = { seen: true, gone: true, domain: NON_EXISTENT, lastDomain: { state: 'Shutoff', reason: 'Shutdown' }, phase: { phase: 'Stopped', reason: 'GuestShutdown' } };
    expect(vmiPhase(inPhase('Running'), view)).toEqual({ phase: 'Succeeded' });
  });
});

describe('vmiPhase: no live domain (§5)', () => {
  const running: DomainStatus = { state: 'Running', reason: 'Unknown' };
  it.each<[string, VirtualMachineInstance, LauncherView, string | undefined, string | undefined]>([
    ['Scheduled, launcher preparing → Scheduled', inPhase('Scheduled'), { seen: true, gone: false, phase: { phase: 'Preparing' } }, 'Scheduled', undefined],
    ['Scheduled, launcher not heard from yet → unchanged', inPhase('Scheduled'), { seen: false, gone: false }, undefined, undefined],
    ['Scheduled, launcher gone → Failed', inPhase('Scheduled'), { seen: true, gone: true }, 'Failed', 'LauncherGone'],
    ['Scheduled, never reached launcher gone → Failed', inPhase('Scheduled'), { seen: false, gone: true }, 'Failed', 'LauncherGone'],
    ['Scheduled, launcher failed → Failed with its reason', inPhase('Scheduled'), { seen: true, gone: false, phase: { phase: 'Failed', reason: 'VolumePreparationFailed', message: 'no image' } }, 'Failed', 'VolumePreparationFailed'],
    ['Running, launcher SIGKILLed → Failed', inPhase('Running'), { seen: true, gone: true, domain: running, lastDomain: running }, 'Failed', 'LauncherGone'],
    ['Running, domain undefined → Failed', inPhase('Running'), { seen: true, gone: false, domain: NON_EXISTENT, lastDomain: running, phase: { phase: 'Running' } }, 'Failed', 'DomainNotFound'],
    ['Running, libvirtd died → Failed with the launcher reason', inPhase('Running'), { seen: true, gone: false, domain: running, lastDomain: running, phase: { phase: 'Failed', reason: 'LibvirtdDied' } }, 'Failed', 'LibvirtdDied'],
    ['Running, after a handler restart before reconnecting → unchanged', inPhase('Running'), { seen: false, gone: false }, undefined, undefined],
  ])('%s', (_what, vmi, view, phase, reason) => {
    const decided = vmiPhase(vmi, view);
    expect(decided?.phase).toBe(phase);
    expect(decided?.reason).toBe(reason);
  });
});

describe('vmiPhase: phases the handler does not own', () => {
  it.each(['', 'Pending', 'Scheduling', 'Succeeded', 'Failed'])('%s is left alone', (phase) => {
    expect(vmiPhase(inPhase(phase), domain('Running', 'Unknown'))).toBeUndefined();
  });
});

describe('acpiShutdownExpected', () => {
  it.each<[string, VirtualMachineInstance, boolean]>([
    ['defaults (ACPI on, grace 30)', newVmi(), true],
    ['grace unset', newVmi(withSpec((s) => { delete s.terminationGracePeriodSeconds; })), true],
    ['ACPI off', inPhase('Running', noAcpi), false],
    ['grace 0', inPhase('Running', grace0), false],
  ])('%s', (_what, vmi, expected) => {
    expect(acpiShutdownExpected(vmi)).toBe(expected);
  });
});
