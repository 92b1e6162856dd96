import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { meets, parseWaitFor, type WaitFor } from './wait-for.js';

describe('parseWaitFor', () => {
  it.each<[string, WaitFor | string]>([
    ['condition=Ready', { kind: 'condition', type: 'Ready', status: 'true' }],
    ['condition=Paused=false', { kind: 'condition', type: 'Paused', status: 'false' }],
    ['delete', { kind: 'delete' }],
    ["jsonpath='{.status.phase}'=Running", { kind: 'jsonpath', expression: '{.status.phase}', path: ['status', 'phase'], value: 'Running' }],
    ['jsonpath={.status.conditions[0].type}=Ready', { kind: 'jsonpath', expression: '{.status.conditions[0].type}', path: ['status', 'conditions', 0, 'type'], value: 'Ready' }],
    ['jsonpath={.metadata.labels.kubevirt\\.io/domain}=demo', { kind: 'jsonpath', expression: '{.metadata.labels.kubevirt\\.io/domain}', path: ['metadata', 'labels', 'kubevirt.io/domain'], value: 'demo' }],
    ['jsonpath={.status.nodeName}', { kind: 'jsonpath', expression: '{.status.nodeName}', path: ['status', 'nodeName'], value: undefined }],
    ['condition=', '--for=condition= needs a condition name, e.g. --for=condition=Ready'],
    ['ready', 'unrecognized condition: "ready"'],
    ['jsonpath={.status.phase}Running', "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3"],
    ['jsonpath=status.phase=Running', 'jsonpath "status.phase=Running" must look like {.status.phase}'],
    ['jsonpath={.items[*].name}=x', 'jsonpath "{.items[*].name}": only [N] list indexes are supported'],
  ])('%s', (text, expected) => {
    if (typeof expected === 'string') expect(() => parseWaitFor(text)).toThrow(new UsageError(expected));
    else expect(parseWaitFor(text)).toEqual(expected);
  });
});

describe('meets', () => {
  const vmi = { status: { phase: 'Running', ready: true, conditions: [{ type: 'Ready', status: 'True' }, { type: 'Paused', status: 'False' }] } };
  it.each<[string, unknown, boolean]>([
    ['condition=Ready', vmi, true],
    ['condition=ready=TRUE', vmi, true],
    ['condition=Paused', vmi, false],
    ['condition=Paused=false', vmi, true],
    ['condition=AgentConnected', vmi, false],
    ['condition=Ready', { status: {} }, false],
    ['jsonpath={.status.phase}=Running', vmi, true],
    ['jsonpath={.status.phase}=Scheduled', vmi, false],
    ['jsonpath={.status.ready}=true', vmi, true],
    ['jsonpath={.status.conditions[1].type}=Paused', vmi, true],
    ['jsonpath={.status.nodeName}', vmi, false],
    ['jsonpath={.status.phase}', vmi, true],
    ['delete', vmi, false],
  ])('%s', (text, object, expected) => {
    expect(meets(object, parseWaitFor(text))).toBe(expected);
  });
});
