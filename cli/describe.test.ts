import { describe, expect, it } from 'vitest';
import { describeObject } from './describe.js';

describe('describeObject', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const vmi = {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
    metadata: { name: 'demo', namespace: 'default', labels: { b: '2', a: '1' } },
    spec: { domain: { devices: {} } },
    status: { phase: 'Running' },
  };
  it('lays the object out as kubectl describe does, labels sorted, one per line', () => {
    const text = describeObject(vmi, [], now);
    expect(text).toContain('Name:         demo\nNamespace:    default\nLabels:       a=1\n              b=2\nAnnotations:  <none>\nAPI Version:  kubevirt.io/v1\nKind:         VirtualMachineInstance\n');
    expect(text).toContain('Spec:\n  domain:\n    devices: {}\nStatus:\n  phase: Running\nEvents:  <none>\n');
  });
  it('lists events with their age and source', () => {
    const text = describeObject(vmi, [{ type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod', source: { component: 'virtualmachine-controller' }, lastTimestamp: '2026-12-02T11:59:30Z' }], now);
    expect(text).toMatch(/Events:\n  Type\s+Reason\s+Age\s+From\s+Message\n  Normal\s+SuccessfulCreate\s+30s\s+virtualmachine-controller\s+Created pod\n/);
  });
});
