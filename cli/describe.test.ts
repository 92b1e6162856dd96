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
  it('lists events oldest first, with their age, count and source, in kubectl\'s layout', () => {
    const text = describeObject(vmi, [
      { type: 'Normal', reason: 'Started', message: 'VMI started', source: { component: 'virt-handler' }, count: 3, firstTimestamp: '2026-12-02T11:55:00Z', lastTimestamp: '2026-12-02T11:59:30Z' },
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created virtual machine pod virt-launcher-demo-x', source: { component: 'virtualmachine-controller' }, count: 1, firstTimestamp: '2026-12-02T11:54:00Z', lastTimestamp: '2026-12-02T11:54:00Z' },
      { type: 'Warning', reason: 'Late', message: 'no component\n', reportingController: 'kvt', eventTime: '2026-12-02T11:59:50.000000Z' },
    ], now);
    expect(text.slice(text.indexOf('Events:'))).toBe([
      'Events:',
      '  Type     Reason            Age               From                       Message',
      '  ----     ------            ----              ----                       -------',
      '  Normal   SuccessfulCreate  6m                virtualmachine-controller  Created virtual machine pod virt-launcher-demo-x',
      '  Normal   Started           30s (x3 over 5m)  virt-handler               VMI started',
      '  Warning  Late              10s               kvt                        no component',
      '',
    ].join('\n'));
  });
});
