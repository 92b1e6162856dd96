// The VMI controller's writes of kubevirt/controllers.md §2: pod create while unprocessed, pod deletes and finalizer removal on deletion or a final phase, the nodeName label.
import { describe, expect, it } from 'vitest';
import { Finalizers, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi } from '../../test/builders/vmi.js';
import { LAUNCHER_CONTAINER, type Pod } from '../pod.js';
import { launcherPodName } from './launcher-pod.js';
import { planMetadata, planPods } from './plan.js';

const T0 = '2026-12-02T19:00:00Z';

function vmiIn(phase: string | undefined, options: { deleting?: boolean; label?: string; unlaunched?: boolean } = {}): VirtualMachineInstance {
  const vmi = newVmi();
  vmi.metadata.finalizers = [Finalizers.vmiForegroundDelete, Finalizers.vmControllerFinalize];
  // The launch status the controller writes before anything else (core/vmi-launch-status.ts).
  vmi.status = { ...(phase === undefined ? {} : { phase }), ...(options.unlaunched === true ? {} : { runtimeUser: 107 }) };
  if (options.deleting === true) vmi.metadata.deletionTimestamp = T0;
  if (options.label !== undefined) vmi.metadata.labels = { 'kubevirt.io/nodeName': options.label };
  return vmi;
}

function pod(name: string, deleting = false): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'mynamespace', uid: `${name}-uid`, ...(deleting ? { deletionTimestamp: T0 } : {}) },
    spec: { containers: [{ name: LAUNCHER_CONTAINER }] },
  };
}

const input = (vmi: VirtualMachineInstance, pods: Pod[]): Parameters<typeof planPods>[0] => ({ vmi, pods, launcherImage: 'kvt:dev' });

describe('planPods', () => {
  it.each([
    ['"" without pod → create', vmiIn(undefined), [], ['createPod']],
    ['"" without a launch status → nothing (the status is written first)', vmiIn(undefined, { unlaunched: true }), [], []],
    ['Pending without a launch status → nothing', vmiIn('Pending', { unlaunched: true }), [], []],
    ['Pending without pod → create', vmiIn('Pending'), [], ['createPod']],
    ['Pending with pod → nothing', vmiIn('Pending'), [pod('a')], []],
    ['Scheduling without pod → nothing (it fails instead)', vmiIn('Scheduling'), [], []],
    ['Running with pod → nothing', vmiIn('Running'), [pod('a')], []],
    ['deleting with pods → delete each live one', vmiIn('Running', { deleting: true }), [pod('a'), pod('b', true)], ['deletePod']],
    ['deleting, unprocessed, no pod → no create', vmiIn(undefined, { deleting: true }), [], []],
    ['Succeeded with pod → delete', vmiIn('Succeeded'), [pod('a')], ['deletePod']],
    ['Failed, pod already terminating → nothing', vmiIn('Failed'), [pod('a', true)], []],
  ])('%s', (_name, vmi, pods, want) => {
    expect(planPods(input(vmi, pods)).map((a) => a.type)).toEqual(want);
  });

  it('creates the rendered launcher pod of the VMI', () => {
    const vmi = vmiIn(undefined);
    const [action] = planPods(input(vmi, []));
    expect(action?.type === 'createPod' ? action.pod.metadata.name : undefined).toBe(launcherPodName(vmi));
  });

  it('deletes only the observed incarnation', () => {
    expect(planPods(input(vmiIn('Failed'), [pod('a')]))).toEqual([{ type: 'deletePod', name: 'a', uid: 'a-uid' }]);
  });
});

describe('planMetadata', () => {
  it.each([
    ['Scheduled on node01, no label → label', vmiIn('Scheduling'), { phase: 'Scheduled', nodeName: 'node01' }, [], ['labelNode']],
    ['Running, label set → nothing', vmiIn('Running', { label: 'node01' }), { phase: 'Running', nodeName: 'node01' }, [pod('a')], []],
    ['Scheduling → no label', vmiIn('Pending'), { phase: 'Scheduling' }, [pod('a')], []],
    ['deleting, pod still there → keep finalizer', vmiIn('Running', { deleting: true, label: 'n' }), { phase: 'Running', nodeName: 'n' }, [pod('a', true)], []],
    ['deleting, no pod → remove finalizer', vmiIn('Failed', { deleting: true }), { phase: 'Failed' }, [], ['removeFinalizer']],
    ['final, no pod → remove finalizer', vmiIn('Succeeded'), { phase: 'Succeeded' }, [], ['removeFinalizer']],
    ['final, pod left → keep finalizer', vmiIn('Succeeded'), { phase: 'Succeeded' }, [pod('a')], []],
  ])('%s', (_name, vmi, status, pods, want) => {
    expect(planMetadata(vmi, status, pods).map((a) => a.type)).toEqual(want);
  });

  it('removes only its own finalizer, guarded by the list it saw', () => {
    const vmi = vmiIn('Failed', { deleting: true });
    expect(planMetadata(vmi, { phase: 'Failed' }, [])).toEqual([{ type: 'removeFinalizer', finalizer: Finalizers.vmiForegroundDelete, current: [Finalizers.vmiForegroundDelete, Finalizers.vmControllerFinalize] }]);
  });

  it('a VMI without the finalizer needs no patch', () => {
    const vmi = vmiIn('Failed', { deleting: true });
    vmi.metadata.finalizers = [];
    expect(planMetadata(vmi, { phase: 'Failed' }, [])).toEqual([]);
  });
});
