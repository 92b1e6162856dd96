import { describe, expect, it } from 'vitest';
import { parseManifests, type DuplicateFields } from './manifests.js';

const VM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: demo
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        devices: {}
  runStrategy: Always
`;

const LIST = `apiVersion: v1
kind: List
items:
- kind: ConfigMap
  metadata: {name: a, name: b}
`;

describe('repeated fields in manifests', () => {
  it.each<[string, string, DuplicateFields, { errors: string[]; warnings: string[]; objects: number }]>([
    ['strict (the default mode): refused with the path and line', VM, 'error', { errors: ['document 1: duplicate field "spec.runStrategy" (line 11)'], warnings: [], objects: 0 }],
    ['warn: a warning, the later value kept', VM, 'warn', { errors: [], warnings: ['document 1: duplicate field "spec.runStrategy" (line 11)'], objects: 1 }],
    ['ignore: the later value kept silently', VM, 'ignore', { errors: [], warnings: [], objects: 1 }],
    ['inside a list item and a flow mapping', LIST, 'error', { errors: ['document 1: duplicate field "items[0].metadata.name" (line 5)'], warnings: [], objects: 0 }],
    ['a second document is numbered', `kind: A\n---\nkind: B\nkind: C\n`, 'error', { errors: ['document 2: duplicate field "kind" (line 4)'], warnings: [], objects: 1 }],
    ['no repeats: nothing to say', 'a: 1\nb: {a: 2}\nc: [{a: 1}, {a: 2}]\n', 'error', { errors: [], warnings: [], objects: 1 }],
  ])('%s', (_name, text, duplicates, expected) => {
    const parsed = parseManifests('vm.yaml', text, { duplicates });
    expect({ errors: parsed.errors.map((e) => e.message), warnings: parsed.warnings.map((w) => w.message), objects: parsed.objects.length }).toEqual(expected);
  });

  it('the later value wins when a repeat is let through', () => {
    const [object] = parseManifests('vm.yaml', VM, { duplicates: 'warn' }).objects;
    expect((object?.object['spec'] as { runStrategy: string }).runStrategy).toBe('Always');
  });
});
