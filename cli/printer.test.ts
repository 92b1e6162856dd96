import { describe, expect, it } from 'vitest';
import { crdOf } from '../crd-gen/crds.js';
import { KINDS, type KindName } from '../crd-gen/index.js';
import {
  columnsOf, eventInterval, evaluateColumnPath, formatRows, humanDuration, labelColumnHeader, labelsText, nodeRoles, nodeStatus, podSummary, printTable, sortEvents, tableOf, TableWriter,
} from './printer.js';

const now = new Date('2026-12-02T12:00:00Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('column paths (the CRDs\' printer columns)', () => {
  const vmi = { status: { phase: 'Running', interfaces: [{ ipAddress: '10.0.2.15' }], conditions: [{ type: 'Paused', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  it.each([
    ['.status.phase', ['Running']],
    ['.status.interfaces[0].ipAddress', ['10.0.2.15']],
    [".status.conditions[?(@.type=='Ready')].status", ['True']],
    [".status.conditions[?(@.type=='LiveMigratable')].status", []],
    ['.status.nodeName', []],
    // The API server leaves a cell empty when its path fails (an index past the end).
    ['.status.interfaces[3].ipAddress', []],
  ])('%s', (path, expected) => {
    expect(evaluateColumnPath(vmi, path)).toEqual(expected);
  });
  it('takes the columns from the generated kinds, the same as the CRDs declare', () => {
    for (const kind of Object.keys(KINDS) as KindName[]) {
      const declared = crdOf(kind).spec.versions[0]?.additionalPrinterColumns ?? [];
      const expected = declared.length === 0 ? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }] : declared;
      expect(columnsOf(kind, true).map((c) => c.name)).toEqual(expected.map((c) => c.name));
    }
  });
});

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each([
    [-5_000, '<invalid>'], [-500, '0s'], [0, '0s'], [45_000, '45s'], [119_000, '119s'], [120_000, '2m'], [192_000, '3m12s'],
    [17 * 60_000, '17m'], [179 * 60_000, '179m'], [5 * 3_600_000 + 3 * 60_000, '5h3m'], [5 * 3_600_000, '5h'], [30 * 3_600_000, '30h'],
    [98 * 3_600_000, '4d2h'], [96 * 3_600_000, '4d'], [120 * 86_400_000, '120d'], [(3 * 365 + 20) * 86_400_000, '3y20d'], [9 * 365 * 86_400_000, '9y'],
  ])('%d ms → %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('TableWriter (kubectl\'s tab writer)', () => {
  it('pads each column but the last to its widest cell + 3, at least 6', () => {
    expect(formatRows([['NAME', 'IP', 'X'], ['a', '', 'long value']])).toBe('NAME   IP    X\na      ' + '      long value\n');
  });
  it('remembers widths across writes, so watch rows stay under the header, and grows them', () => {
    const w = new TableWriter();
    expect(w.write([['NAME', 'STATUS', 'AGE'], ['vm', 'Stopped', '1s']])).toBe('NAME   STATUS    AGE\nvm     Stopped   1s\n');
    expect(w.write([['vm', 'Running', '2s']])).toBe('vm     Running   2s\n');
    expect(w.write([['vm', 'WaitingForVolumeBinding', '3s']])).toBe('vm     WaitingForVolumeBinding   3s\n');
    expect(w.write([['vm', 'Running', '4s']])).toBe('vm     Running                   4s\n');
  });
  it('cuts a cell at its first line break, as kubectl does', () => {
    expect(formatRows([['A', 'MESSAGE'], ['x', 'first\nsecond']])).toBe('A     MESSAGE\nx     first...\n');
  });
});

describe('tables of our kinds', () => {
  const vmi = (name: string, phase?: string) => ({
    metadata: { name, namespace: 'default', creationTimestamp: ago(45), labels: { app: 'web', 'kubevirt.io/size': 'small' } },
    status: phase === undefined ? {} : { phase, nodeName: 'node01', interfaces: [{ ipAddress: '10.0.2.15' }], conditions: [{ type: 'Ready', status: 'True' }, { type: 'Paused', status: 'False' }] },
  });
  it('prints NAME and the priority-0 columns of the CRD, blank where a value is missing', () => {
    expect(printTable('VirtualMachineInstance', [vmi('testvmi', 'Running'), vmi('fresh')], { now })).toBe(
      [
        'NAME      AGE   PHASE     IP          NODENAME   READY',
        'testvmi   45s   Running   10.0.2.15   node01     True',
        'fresh     45s',
        '',
      ].join('\n'),
    );
  });
  it('-o wide adds the priority-1 columns; a namespace column comes first for several namespaces', () => {
    const out = printTable('VirtualMachineInstance', [vmi('testvmi', 'Running')], { now, wide: true, withNamespace: true });
    expect(out.split('\n')[0]).toBe('NAMESPACE   NAME      AGE   PHASE     IP          NODENAME   READY   LIVE-MIGRATABLE   PAUSED');
    expect(out.split('\n')[1]).toMatch(/^default\s+testvmi\s+45s\s+Running\s+10\.0\.2\.15\s+node01\s+True\s+False$/);
  });
  it('prints replica set counts, and AGE alone for a kind without columns', () => {
    const rs = { metadata: { name: 'rs', creationTimestamp: ago(7200) }, spec: { replicas: 3 }, status: { replicas: 2, readyReplicas: 1 } };
    expect(printTable('VirtualMachineInstanceReplicaSet', [rs], { now })).toBe('NAME   DESIRED   CURRENT   READY   AGE\nrs     3         2         1       120m\n');
    expect(printTable('VirtualMachineClusterPreference', [{ metadata: { name: 'p', creationTimestamp: ago(60) } }], { now })).toBe('NAME   AGE\np      60s\n');
  });
  it.each([
    [{ labelColumns: ['app', 'kubevirt.io/size', 'none'] }, ['APP', 'SIZE', 'NONE'], ['web', 'small', '']],
    [{ showLabels: true }, ['LABELS'], ['app=web,kubevirt.io/size=small']],
    [{ withKind: true }, [], []],
  ])('label and kind options %j', (extra, headers, cells) => {
    const table = tableOf(KINDS.VirtualMachineInstance, [vmi('v', 'Running')], { now, ...extra });
    expect(table.header.slice(6)).toEqual(headers);
    expect(table.rows[0]?.slice(6)).toEqual(cells);
    expect(table.rows[0]?.[0]).toBe('withKind' in extra ? 'virtualmachineinstance.kubevirt.io/v' : 'v');
  });
  it.each([
    [undefined, '<none>'], [{}, '<none>'], [{ b: '2', a: '1' }, 'a=1,b=2'],
  ])('labelsText %j → %s', (labels, expected) => {
    expect(labelsText(labels)).toBe(expected);
  });
  it.each([['app', 'APP'], ['kubevirt.io/domain', 'DOMAIN']])('labelColumnHeader %s → %s', (key, expected) => {
    expect(labelColumnHeader(key)).toBe(expected);
  });
});

describe('pods (kubectl printPod)', () => {
  const running = { running: { startedAt: ago(60) } };
  const pod = (status: object, spec: object = { containers: [{ name: 'compute' }] }, metadata: object = {}) => ({ metadata: { name: 'p', creationTimestamp: ago(90), ...metadata }, spec, status });
  it.each([
    ['pending, no statuses', pod({ phase: 'Pending' }), '0/1', 'Pending', '0'],
    ['creating', pod({ phase: 'Pending', containerStatuses: [{ name: 'compute', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }), '0/1', 'ContainerCreating', '0'],
    ['running and ready', pod({ phase: 'Running', containerStatuses: [{ name: 'compute', ready: true, restartCount: 0, state: running }] }), '1/1', 'Running', '0'],
    ['restarted', pod({ phase: 'Running', containerStatuses: [{ name: 'compute', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } }] }), '1/1', 'Running', '2 (5m ago)'],
    ['completed', pod({ phase: 'Succeeded', containerStatuses: [{ name: 'compute', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), '0/1', 'Completed', '0'],
    ['killed by a signal', pod({ phase: 'Failed', containerStatuses: [{ name: 'compute', state: { terminated: { exitCode: 137, signal: 9 } } }] }), '0/1', 'Signal:9', '0'],
    ['exit code', pod({ phase: 'Failed', containerStatuses: [{ name: 'compute', state: { terminated: { exitCode: 3 } } }] }), '0/1', 'ExitCode:3', '0'],
    ['init container running', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: running }] }, { containers: [{}], initContainers: [{ name: 'i' }, { name: 'j' }] }), '0/1', 'Init:0/2', '0'],
    ['init container failed', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, { containers: [{}], initContainers: [{ name: 'i' }] }), '0/1', 'Init:Error', '0'],
    ['terminating', pod({ phase: 'Running', containerStatuses: [{ name: 'compute', ready: true, state: running }] }, undefined, { deletionTimestamp: ago(1) }), '1/1', 'Terminating', '0'],
    ['evicted', pod({ phase: 'Failed', reason: 'Evicted' }), '0/1', 'Evicted', '0'],
  ])('%s', (_, p, ready, status, restarts) => {
    expect(podSummary(p, now)).toEqual({ ready, status, restarts });
  });
  it('prints NAME READY STATUS RESTARTS AGE; -o wide adds IP NODE NOMINATED NODE READINESS GATES', () => {
    const p = { ...pod({ phase: 'Running', podIP: '10.1.0.5', containerStatuses: [{ name: 'compute', ready: true, state: running }] }), spec: { nodeName: 'local', containers: [{}] } };
    expect(formatRows([tableOf({ apiVersion: 'v1', kind: 'Pod' }, [p], { now }).header, ...tableOf({ apiVersion: 'v1', kind: 'Pod' }, [p], { now }).rows])).toBe(
      'NAME   READY   STATUS    RESTARTS   AGE\np      1/1     Running   0          90s\n',
    );
    const wide = tableOf({ apiVersion: 'v1', kind: 'Pod' }, [p], { now, wide: true });
    expect(wide.header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(wide.rows[0]).toEqual(['p', '1/1', 'Running', '0', '90s', '10.1.0.5', 'local', '<none>', '<none>']);
  });
});

describe('nodes (kubectl printNode)', () => {
  it.each([
    [{ status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Ready'],
    [{ status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'NotReady'],
    [{ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 'NotReady'],
    [{ status: {} }, 'Unknown'],
    [{ spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Ready,SchedulingDisabled'],
  ])('status %j → %s', (node, expected) => {
    expect(nodeStatus(node)).toBe(expected);
  });
  it.each([
    [{}, '<none>'],
    [{ 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' }, 'control-plane,worker'],
    [{ 'kubernetes.io/role': 'master' }, 'master'],
  ])('roles %j → %s', (labels, expected) => {
    expect(nodeRoles({ metadata: { labels } })).toBe(expected);
  });
  it('prints NAME STATUS ROLES AGE VERSION', () => {
    const node = { metadata: { name: 'local', creationTimestamp: ago(3600) }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.0-kvt' } } };
    const t = tableOf({ apiVersion: 'v1', kind: 'Node' }, [node], { now });
    expect(formatRows([t.header, ...t.rows])).toBe('NAME    STATUS   ROLES    AGE   VERSION\nlocal   Ready    <none>   60m   v1.30.0-kvt\n');
  });
});

describe('events', () => {
  const event = (reason: string, last: number, extra: object = {}) => ({
    metadata: { name: `demo.${reason}` }, involvedObject: { kind: 'VirtualMachine', name: 'demo', apiVersion: 'kubevirt.io/v1' },
    type: 'Normal', reason, message: `${reason} happened`, source: { component: 'virtualmachine-controller' },
    count: 1, firstTimestamp: ago(last), lastTimestamp: ago(last), ...extra,
  });
  it('sorts by last occurrence, oldest first, ties in list order (kubectl SortableEvents)', () => {
    const list = [event('C', 10), event('A', 300), event('B', 10), event('D', 60, { lastTimestamp: undefined, eventTime: ago(60) }), event('E', 600, { series: { count: 2, lastObservedTime: ago(5) } })];
    expect(sortEvents(list).map((e) => e.reason)).toEqual(['A', 'D', 'C', 'B', 'E']);
  });
  it.each([
    [event('X', 90), '90s'],
    [event('X', 300, { count: 3, lastTimestamp: ago(30) }), '30s (x3 over 5m)'],
    [event('X', 300, { series: { count: 4, lastObservedTime: ago(10) }, eventTime: ago(400) }), '10s (x4 over 6m40s)'],
  ])('describe\'s Age %#', (e, expected) => {
    expect(eventInterval(e, now)).toBe(expected);
  });
  it('prints LAST SEEN TYPE REASON OBJECT MESSAGE; -o wide adds kubectl\'s other columns', () => {
    const e = event('Started', 300, { count: 3, lastTimestamp: ago(30) });
    const t = tableOf({ apiVersion: 'v1', kind: 'Event' }, [e], { now });
    expect(t.header).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(t.rows[0]).toEqual(['30s', 'Normal', 'Started', 'virtualmachine/demo', 'Started happened']);
    const wide = tableOf({ apiVersion: 'v1', kind: 'Event' }, [e], { now, wide: true });
    expect(wide.rows[0]).toEqual(['30s', 'Normal', 'Started', 'virtualmachine/demo', '', 'virtualmachine-controller', 'Started happened', '5m', '3', 'demo.Started']);
  });
});
