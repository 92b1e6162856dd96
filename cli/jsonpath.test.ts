import { describe, expect, it } from 'vitest';
import { executeTemplate, findResults, goJson, goSprint, JsonPathError, parseTemplate, relaxedJsonPath } from './jsonpath.js';

const vmi = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: { name: 'demo', labels: { 'kubevirt.io/domain': 'demo', app: 'web' } },
  status: {
    phase: 'Running',
    interfaces: [{ ipAddress: '10.0.2.15', name: 'default' }, { ipAddress: '10.0.3.7', name: 'second' }],
    conditions: [{ type: 'Paused', status: 'False' }, { type: 'Ready', status: 'True' }],
  },
};
const list = {
  apiVersion: 'v1', kind: 'List',
  items: [
    { metadata: { name: 'a' }, spec: { replicas: 1 }, status: { phase: 'Running' } },
    { metadata: { name: 'b' }, spec: { replicas: 3 }, status: { phase: 'Pending' } },
    { metadata: { name: 'c' }, spec: { replicas: 2 } },
  ],
};

describe('executeTemplate (kubectl -o jsonpath)', () => {
  it.each([
    ['{.metadata.name}', vmi, 'demo'],
    ['{.status.phase}', vmi, 'Running'],
    ['name={.metadata.name} phase={.status.phase}', vmi, 'name=demo phase=Running'],
    ['{.status.interfaces[0].ipAddress}', vmi, '10.0.2.15'],
    ['{.status.interfaces[-1].name}', vmi, 'second'],
    ['{.status.interfaces[*].ipAddress}', vmi, '10.0.2.15 10.0.3.7'],
    ['{.status.interfaces[0:1].name}', vmi, 'default'],
    ['{.status.interfaces[0,1].name}', vmi, 'default second'],
    ['{.status.interfaces.*.name}', vmi, 'default second'],
    ['{.status.interfaces[*].*}', vmi, '10.0.2.15 default 10.0.3.7 second'],
    ['{.status.conditions[?(@.type=="Ready")].status}', vmi, 'True'],
    ["{.status.conditions[?(@.type=='Ready')].status}", vmi, 'True'],
    ['{.status.conditions[?(@.type!="Ready")].type}', vmi, 'Paused'],
    ['{.status.conditions[?(@.reason)].type}', vmi, ''],
    ["{.metadata.labels['kubevirt.io/domain']}", vmi, 'demo'],
    ['{.metadata.labels.kubevirt\\.io/domain}', vmi, 'demo'],
    ['{.metadata.labels}', vmi, '{"app":"web","kubevirt.io/domain":"demo"}'],
    ['{.status.interfaces[0]}', vmi, '{"ipAddress":"10.0.2.15","name":"default"}'],
    ['{.status.nodeName}', vmi, ''],
    ['{.missing.deeper[0]}', vmi, ''],
    ['{..ipAddress}', vmi, '10.0.2.15 10.0.3.7'],
    ['{$.kind}', vmi, 'VirtualMachineInstance'],
    ['{.items[*].metadata.name}', list, 'a b c'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}', list, 'a\tRunning\nb\tPending\nc\t\n'],
    ['{range .items[*]}[{.metadata.name}]{end}', list, '[a][b][c]'],
    ['{.items[?(@.spec.replicas>1)].metadata.name}', list, 'b c'],
    ['{.items[?(@.spec.replicas<=2)].metadata.name}', list, 'a c'],
    ['{.items[?(@.status.phase=="Running")].metadata.name}', list, 'a'],
    ['{.items[0].spec.replicas}', list, '1'],
    ['.metadata.name', vmi, '.metadata.name'],
    ['{"literal"}', vmi, 'literal'],
  ])('%s', (template, data, expected) => {
    expect(executeTemplate(parseTemplate(template), data)).toBe(expected);
  });

  it.each([
    ['{.a', 'unclosed action'],
    ['{.a[0}', 'unclosed array expect ]'],
    ['{range .items[*]}{.a}', 'unclosed range'],
    ['{end}', 'not in range, nothing to end'],
    ['{.a[x]}', 'invalid array index x'],
    ['{bogus}', 'unrecognized identifier bogus'],
    ['{.a[?(@.x<>"y")]}', 'unrecognized filter operator <>'],
  ])('refuses %s: %s', (template, message) => {
    expect(() => parseTemplate(template)).toThrow(new JsonPathError(message));
  });

  it.each([
    ['{.status.interfaces[5].name}', 'array index out of bounds: index 5, length 2'],
    ['{.metadata[0]}', 'map[string]interface {} is not array or slice'],
    ['{.status.conditions[?(@.type==1)].status}', 'incompatible types for comparison'],
  ])('fails on the data as client-go does: %s', (template, message) => {
    expect(() => executeTemplate(parseTemplate(template), vmi)).toThrow(new JsonPathError(message));
  });
});

describe('findResults, relaxedJsonPath, goJson, goSprint', () => {
  it.each([
    ['.metadata.name', '{.metadata.name}'],
    ['metadata.name', '{.metadata.name}'],
    ['{.metadata.name}', '{.metadata.name}'],
    ['{metadata.name}', '{.metadata.name}'],
  ])('relaxed %s → %s', (input, expected) => {
    expect(relaxedJsonPath(input)).toBe(expected);
  });
  it('refuses a relaxed path with braces inside', () => {
    expect(() => relaxedJsonPath('{.a}{.b}')).toThrow(/unexpected path string/);
  });
  it('returns the values of each action', () => {
    expect(findResults(parseTemplate('{.status.interfaces[*].name}'), vmi)).toEqual([['default', 'second']]);
  });
  it.each([
    [{ b: 1, a: '<x>' }, '{"a":"\\u003cx\\u003e","b":1}'],
    [[1, 'two', null], '[1,"two",null]'],
  ])('goJson %j', (value, expected) => {
    expect(goJson(value)).toBe(expected);
  });
  it.each([
    [{ b: 1, a: 'x' }, 'map[a:x b:1]'],
    [['x', 'y'], '[x y]'],
    [[{ k: 'v' }], '[map[k:v]]'],
    ['s', 's'],
    [3, '3'],
    [true, 'true'],
    [null, '<nil>'],
  ])('goSprint %j → %s', (value, expected) => {
    expect(goSprint(value)).toBe(expected);
  });
});
