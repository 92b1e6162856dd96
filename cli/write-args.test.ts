import { describe, expect, it } from 'vitest';
import { takeBooleanValue } from './commands/delete.js';
import { UsageError } from './command.js';
import { parseObjectArgs } from './object-args.js';
import { parseDuration } from './poll.js';
import { dryRunSuffix, parseDryRun, parseValidate, writeOptions } from './write-flags.js';

describe('parseObjectArgs', () => {
  it.each<[string[], string[] | string]>([
    [['vm', 'a', 'b'], ['VirtualMachine a', 'VirtualMachine b']],
    [['vm/a', 'vmi/b', 'pod/c'], ['VirtualMachine a', 'VirtualMachineInstance b', 'Pod c']],
    [['virtualmachineinstances', 'x'], ['VirtualMachineInstance x']],
    [['vm'], 'name at least one vm (KIND NAME or KIND/NAME)'],
    [[], 'name a resource type and a name, e.g. `vm demo` or `vm/demo`'],
    [['gizmo', 'x'], 'the server doesn\'t have a resource type "gizmo"'],
    [['vm/a', 'b'], expect.stringContaining('there is no need to specify a resource type as a separate argument') as unknown as string],
  ])('%j', (words, expected) => {
    if (Array.isArray(expected)) expect(parseObjectArgs(words).map((r) => `${r.resource.type.kind} ${r.name}`)).toEqual(expected);
    else expect(() => parseObjectArgs(words)).toThrow(expect.objectContaining({ message: expected }) as unknown as Error);
  });
});

describe('write flags', () => {
  it.each<[string | undefined, string, string]>([
    [undefined, 'Strict', 'error'],
    ['strict', 'Strict', 'error'],
    ['true', 'Strict', 'error'],
    ['warn', 'Warn', 'warn'],
    ['ignore', 'Ignore', 'ignore'],
    ['false', 'Ignore', 'ignore'],
  ])('--validate %s', (value, fieldValidation, duplicates) => {
    expect(parseValidate(value)).toEqual({ fieldValidation, duplicates });
  });

  it('refuses other --validate and --dry-run values in kubectl\'s words', () => {
    expect(() => parseValidate('maybe')).toThrow(new UsageError('invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)'));
    expect(() => parseDryRun('all')).toThrow(new UsageError('Invalid dry-run value (all). Must be "none", "server", or "client".'));
  });

  it.each<['none' | 'client' | 'server', object, string]>([
    ['none', { fieldValidation: 'Strict' }, ''],
    ['client', { fieldValidation: 'Strict' }, ' (dry run)'],
    ['server', { fieldValidation: 'Strict', dryRun: true }, ' (server dry run)'],
  ])('--dry-run=%s', (dryRun, options, suffix) => {
    expect(parseDryRun(dryRun)).toBe(dryRun);
    expect(writeOptions(parseValidate('strict'), dryRun)).toEqual(options);
    expect(dryRunSuffix(dryRun)).toBe(suffix);
  });
});

describe('durations and boolean flags', () => {
  it.each<[string, number | undefined]>([
    ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['1m30s', 90_000], ['500ms', 500], ['2', 2000], ['0s', 0], ['soon', undefined], ['5x', undefined], ['', undefined],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each<[string[], { rest: string[]; value: boolean | undefined }]>([
    [['vm', 'a'], { rest: ['vm', 'a'], value: undefined }],
    [['--wait=false', 'vm', 'a'], { rest: ['vm', 'a'], value: false }],
    [['--wait=true'], { rest: [], value: true }],
    [['--wait'], { rest: ['--wait'], value: undefined }],
  ])('%j', (args, expected) => expect(takeBooleanValue(args, 'wait')).toEqual(expected));
});
