import { describe, expect, it } from 'vitest';
import { parseKubeYamlDocuments, toYaml } from './yaml.js';

const scalar = (text: string): unknown => (parseKubeYamlDocuments(`v: ${text}`)[0]?.toJS() as { v: unknown }).v;

describe('parseKubeYamlDocuments: scalars as kubectl (go-yaml v2, YAML 1.1) reads them', () => {
  it.each([
    ['e1000', 'e1000'], // a NIC model, not a float
    ['e1000e', 'e1000e'],
    ['.', '.'],
    ['1:30', '1:30'], // no sexagesimal numbers
    ['2001-12-14', '2001-12-14'], // timestamps stay strings
    ['1e3', 1000],
    ['1.5e3', 1500],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['1_000', 1000],
    ['0x1F', 31],
    ['017', 15],
    ['yes', true],
    ['off', false],
    ['~', null],
    ['128Mi', '128Mi'],
  ])('%s', (text, expected) => {
    expect(scalar(text)).toEqual(expected);
  });

  it('reads every document of a stream', () => {
    expect(parseKubeYamlDocuments('a: 1\n---\nb: 2\n').map((d) => d.toJS())).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe('toYaml', () => {
  it('quotes strings kubectl would read as booleans', () => {
    expect(toYaml({ a: 'yes', b: 'on', c: 'plain' })).toBe('a: "yes"\nb: "on"\nc: plain\n');
  });
});
