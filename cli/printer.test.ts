import { describe, expect, it } from 'vitest';
import { evaluateColumnPath, humanDuration, parseColumnPath, printTable } from './printer.js';

describe('column paths (kubectl JSONPath subset)', () => {
  const vmi = { status: { phase: 'Running', interfaces: [{ ipAddress: '10.0.2.15' }], conditions: [{ type: 'Paused', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  it.each([
    ['.status.phase', ['Running']],
    ['.status.interfaces[0].ipAddress', ['10.0.2.15']],
    [".status.conditions[?(@.type=='Ready')].status", ['True']],
    [".status.conditions[?(@.type=='LiveMigratable')].status", []],
    ['.status.nodeName', []],
  ])('%s', (path, expected) => {
    expect(evaluateColumnPath(vmi, path)).toEqual(expected);
  });
  it('refuses what it cannot evaluate, naming the offset', () => {
    expect(() => parseColumnPath('.status..phase')).toThrow(/offset 7/);
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

describe('printTable', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const vmi = (name: string, phase?: string) => ({
    metadata: { name, namespace: 'default', creationTimestamp: '2026-12-02T11:59:15Z' },
    status: phase === undefined ? {} : { phase, nodeName: 'node01', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Paused', status: 'False' }] },
  });
  it('prints NAME and the priority-0 columns of the CRD, blank where a value is missing', () => {
    expect(printTable('VirtualMachineInstance', [vmi('testvmi', 'Running'), vmi('fresh')], { now })).toBe(
      [
        'NAME      AGE   PHASE     IP   NODENAME   READY',
        'testvmi   45s   Running        node01     True',
        'fresh     45s',
        '',
      ].join('\n'),
    );
  });
  it('-o wide adds the priority-1 columns; a namespace column comes first for several namespaces', () => {
    const out = printTable('VirtualMachineInstance', [vmi('testvmi', 'Running')], { now, wide: true, withNamespace: true });
    expect(out.split('\n')[0]).toBe('NAMESPACE   NAME      AGE   PHASE     IP   NODENAME   READY   LIVE-MIGRATABLE   PAUSED');
    expect(out.split('\n')[1]).toMatch(/^default\s+testvmi\s+45s\s+Running\s+node01\s+True\s+False$/);
  });
  it('prints replica set counts', () => {
    const rs = { metadata: { name: 'rs', creationTimestamp: '2026-12-02T10:00:00Z' }, spec: { replicas: 3 }, status: { replicas: 2, readyReplicas: 1 } };
    expect(printTable('VirtualMachineInstanceReplicaSet', [rs], { now })).toBe('NAME   DESIRED   CURRENT   READY   AGE\nrs     3         2         1       120m\n');
  });
});
