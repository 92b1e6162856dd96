import { describe, expect, it } from 'vitest';
import { customHeader, customRow, jsonpathText, kubectlJson, naturalLess, parseCustomColumns, parseCustomColumnsFile, parseOutput, sortObjects, sortValueLess } from './get-output.js';
import { JsonPathError } from './jsonpath.js';

const noFiles = (path: string): string => {
  throw new Error(`unexpected read of ${path}`);
};

describe('parseOutput (-o)', () => {
  it.each([
    [undefined, { kind: 'table', wide: false }],
    ['wide', { kind: 'table', wide: true }],
    ['yaml', { kind: 'yaml' }],
    ['=json', { kind: 'json' }],
    ['name', { kind: 'name' }],
  ])('%s', (value, expected) => {
    expect(parseOutput(value, noFiles)).toEqual(expected);
  });
  it('parses jsonpath and custom-columns, from the flag or a file', () => {
    expect(parseOutput('jsonpath={.metadata.name}', noFiles)).toMatchObject({ kind: 'jsonpath', template: { source: '{.metadata.name}' } });
    expect(parseOutput('jsonpath-file=t.txt', () => '{.kind}')).toMatchObject({ kind: 'jsonpath', template: { source: '{.kind}' } });
    expect(parseOutput('custom-columns=NAME:.metadata.name', noFiles)).toMatchObject({ kind: 'custom-columns', columns: [{ header: 'NAME' }] });
    expect(parseOutput('custom-columns-file=c.txt', () => 'NAME   PHASE\n.metadata.name   .status.phase\n')).toMatchObject({ kind: 'custom-columns', columns: [{ header: 'NAME' }, { header: 'PHASE' }] });
  });
  it.each([
    ['xml', 'unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-file,name,wide,yaml'],
    ['jsonpath=', 'template format specified but no template given'],
    ['jsonpath={.a[}', 'error parsing jsonpath {.a[}, unclosed array expect ]'],
    ['custom-columns=', 'custom-columns format specified but no custom columns given'],
    ['custom-columns=NAME', 'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'],
  ])('refuses %s as kubectl does', (value, message) => {
    expect(() => parseOutput(value, noFiles)).toThrow(new JsonPathError(message));
  });
  it('refuses a custom-columns file whose lines do not pair up', () => {
    expect(() => parseCustomColumnsFile('A B\n.a\n')).toThrow(/number of headers \(2\) and field specifications \(1\) don't match/);
  });
});

describe('custom columns', () => {
  const columns = parseCustomColumns('NAME:.metadata.name,Phase:status.phase,IPS:{.status.interfaces[*].ipAddress},LABELS:.metadata.labels');
  it('keeps headers as given, joins several values with commas, prints <none> for none and maps as Go does', () => {
    expect(customHeader(columns)).toEqual(['NAME', 'Phase', 'IPS', 'LABELS']);
    const vmi = { metadata: { name: 'demo', labels: { b: '2', a: '1' } }, status: { interfaces: [{ ipAddress: '10.0.2.15' }, { ipAddress: '10.0.3.1' }] } };
    expect(customRow(columns, vmi)).toEqual(['demo', '<none>', '10.0.2.15,10.0.3.1', 'map[a:1 b:2]']);
  });
});

describe('jsonpathText and kubectlJson', () => {
  it('wraps evaluation failures in kubectl\'s words', () => {
    const format = parseOutput('jsonpath={.items[3]}', noFiles);
    if (format.kind !== 'jsonpath') throw new Error('not jsonpath');
    expect(() => jsonpathText(format.template, { items: [] })).toThrow('error executing jsonpath "{.items[3]}": Error executing template: array index out of bounds: index 3, length 0');
  });
  it('indents by four spaces with sorted keys', () => {
    expect(kubectlJson({ kind: 'X', apiVersion: 'v1', metadata: { name: 'n' } })).toBe('{\n    "apiVersion": "v1",\n    "kind": "X",\n    "metadata": {\n        "name": "n"\n    }\n}\n');
  });
});

describe('--sort-by (kubectl SortObjects)', () => {
  const o = (name: string, extra: object = {}) => ({ metadata: { name }, ...extra });
  it.each([
    ['{.metadata.name}', [o('vm10'), o('vm2'), o('vm1')], ['vm1', 'vm2', 'vm10']],
    ['.spec.replicas', [o('a', { spec: { replicas: 3 } }), o('b', { spec: { replicas: 1 } }), o('c')], ['c', 'b', 'a']],
    ['spec.memory', [o('a', { spec: { memory: '1Gi' } }), o('b', { spec: { memory: '512Mi' } }), o('c', { spec: { memory: '2G' } })], ['b', 'a', 'c']],
    ['.metadata.creationTimestamp', [o('new', { metadata: { name: 'new', creationTimestamp: '2026-01-02T00:00:00Z' } }), o('old', { metadata: { name: 'old', creationTimestamp: '2025-01-02T00:00:00Z' } })], ['old', 'new']],
  ])('%s', (expression, objects, names) => {
    expect(sortObjects(objects, expression).map((x) => x.metadata.name)).toEqual(names);
  });
  it('refuses a path found in no object', () => {
    expect(() => sortObjects([o('a')], '.spec.nothing')).toThrow('couldn\'t find any field with path "{.spec.nothing}" in the list of objects');
  });
  it.each([
    ['a2', 'a10', true], ['a10', 'a2', false], ['abc', 'abd', true], ['x', 'x1', true], ['x01', 'x1', false], ['', 'a', true],
  ])('naturalLess(%s, %s) = %s', (a, b, expected) => {
    expect(naturalLess(a, b)).toBe(expected);
  });
  it.each([
    [1, 2, true], ['100m', '1', true], ['2Gi', '3G', true], [false, true, true],
  ])('sortValueLess(%j, %j) = %s', (a, b, expected) => {
    expect(sortValueLess(a, b)).toBe(expected);
  });
});
