import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { mapPatch, parseMapArgs, RefusedChange, type MapChanges } from './metadata-edits.js';

describe('parseMapArgs', () => {
  it.each<[string[], { objects: string[]; changes: MapChanges } | string]>([
    [['vm', 'demo', 'env=prod'], { objects: ['vm', 'demo'], changes: { set: { env: 'prod' }, remove: [] } }],
    [['vm/demo', 'vmi/demo', 'a=1', 'b-'], { objects: ['vm/demo', 'vmi/demo'], changes: { set: { a: '1' }, remove: ['b'] } }],
    [['vm', 'demo', 'kubevirt.io/x=', 'team-'], { objects: ['vm', 'demo'], changes: { set: { 'kubevirt.io/x': '' }, remove: ['team'] } }],
    [['vm', 'demo'], 'at least one label update is required (KEY=VALUE to set, KEY- to remove)'],
    [['vm', 'demo', 'a=1', 'other'], 'all resources must be specified before label changes: other'],
    [['vm', 'demo', 'a=1', 'a-'], 'can not both modify and remove label "a" in the same command'],
    [['vm', 'demo', '=x'], 'invalid label spec: =x'],
  ])('%j', (words, expected) => {
    if (typeof expected === 'string') expect(() => parseMapArgs(words, 'label')).toThrow(new UsageError(expected));
    else expect(parseMapArgs(words, 'label')).toEqual(expected);
  });
});

describe('mapPatch', () => {
  const current = { env: 'prod', team: 'a' };
  it.each<[string, MapChanges, boolean, Record<string, unknown> | undefined | string]>([
    ['a new key', { set: { tier: 'web' }, remove: [] }, false, { metadata: { labels: { tier: 'web' } } }],
    ['the same value: no change', { set: { env: 'prod' }, remove: [] }, false, undefined],
    ['another value without overwrite', { set: { env: 'dev' }, remove: [] }, false, "'env' already has a value (prod), and --overwrite is false"],
    ['another value with overwrite', { set: { env: 'dev' }, remove: [] }, true, { metadata: { labels: { env: 'dev' } } }],
    ['a removal', { set: {}, remove: ['team'] }, false, { metadata: { labels: { team: null } } }],
    ['removing a missing key: no change', { set: {}, remove: ['nope'] }, false, undefined],
  ])('%s', (_name, changes, overwrite, expected) => {
    if (typeof expected === 'string') expect(() => mapPatch(current, changes, { field: 'labels', overwrite })).toThrow(new RefusedChange(expected));
    else expect(mapPatch(current, changes, { field: 'labels', overwrite })).toEqual(expected);
  });
  it('an object without the map', () => {
    expect(mapPatch(undefined, { set: { a: 'b' }, remove: ['c'] }, { field: 'annotations', overwrite: false })).toEqual({ metadata: { annotations: { a: 'b' } } });
  });
});
