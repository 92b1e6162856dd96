/**
 * Every `kvt` subcommand documents every flag it accepts. The accepted flags are not listed here:
 * each command of cli/kvt.ts's COMMANDS table is run with a flag nobody accepts, and the options its
 * node:util parseArgs call was given are recorded on the way (the parser refuses the flag before the
 * command does anything). A command or flag added anywhere is covered without touching this test.
 */
import type { ParseArgsConfig } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type { Command } from './command.js';
import { documentedFlags, hasOptionsSection } from './help-options.js';
import { COMMANDS, runKvt } from './kvt.js';

const recorded = vi.hoisted(() => ({ configs: [] as ParseArgsConfig[] }));

vi.mock('node:util', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:util')>();
  return {
    ...actual,
    parseArgs: (config: ParseArgsConfig): unknown => {
      recorded.configs.push(config);
      return actual.parseArgs(config);
    },
  };
});

const PROBE = '--kvt-no-such-flag';

/** The subcommand words of a usage (`kvt image import …`, `kvt image list …`), or [] for none. */
function subcommands(command: Command): string[] {
  const words = command.usage.split('\n').map((line) => new RegExp(`^\\s*kvt ${command.name} ([a-z][a-z-]*)\\b`).exec(line)?.[1]).filter((w): w is string => w !== undefined);
  return [...new Set(words)];
}

interface AcceptedFlag {
  readonly long: string;
  readonly short: string | undefined;
  readonly takesValue: boolean;
}

/** The flags the command's parser accepts, found by running it (and each subcommand) with PROBE. */
async function acceptedFlags(command: Command): Promise<{ flags: Map<string, AcceptedFlag>; problems: string[] }> {
  const flags = new Map<string, AcceptedFlag>();
  const problems: string[] = [];
  const silent = { out: (): void => undefined, err: (): void => undefined };
  for (const prefix of [[], ...subcommands(command).map((s) => [s])]) {
    recorded.configs.length = 0;
    const thrown = await Promise.resolve().then(() => command.run([...prefix, PROBE], silent)).then(() => undefined, (e: unknown) => e);
    const code = (thrown as { code?: unknown } | undefined)?.code;
    if (prefix.length === 0 && subcommands(command).length > 0 && code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') continue;
    if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      problems.push(`kvt ${[command.name, ...prefix].join(' ')} ${PROBE} was not refused by node:util parseArgs (strict) before anything else: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      continue;
    }
    for (const config of recorded.configs) {
      if (config.strict === false) problems.push(`kvt ${command.name} parses its flags with strict: false`);
      for (const [long, option] of Object.entries(config.options ?? {})) flags.set(long, { long, short: option.short, takesValue: option.type === 'string' });
    }
  }
  return { flags, problems };
}

/**
 * A documented flag the recorded parseArgs options lack may still be accepted: a command can take it
 * off the line before parsing (kubectl's `--wait=false` in delete). Given before PROBE, it is accepted
 * when the refusal names PROBE instead of it.
 */
async function acceptedBeforeParsing(command: Command, flag: { long: string; value?: string; optionalValue?: true }): Promise<boolean> {
  const silent = { out: (): void => undefined, err: (): void => undefined };
  const sub = subcommands(command)[0];
  const given = flag.value !== undefined && flag.optionalValue !== true ? `--${flag.long}=x` : `--${flag.long}`;
  const thrown = await Promise.resolve().then(() => command.run([...(sub === undefined ? [] : [sub]), given, PROBE], silent)).then(() => undefined, (e: unknown) => e);
  return thrown instanceof Error && (thrown as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && thrown.message.includes(PROBE);
}

/** Every mismatch between what the parser accepts and what the usage's "Options:" section lists. */
function helpProblems(command: Command, accepted: ReadonlyMap<string, AcceptedFlag>): string[] {
  const problems: string[] = [];
  const documented = documentedFlags(command.usage);
  if (accepted.size > 0 && !hasOptionsSection(command.usage)) problems.push(`kvt ${command.name}: its usage has no "Options:" section`);
  for (const flag of accepted.values()) {
    const doc = documented.find((d) => d.long === flag.long);
    if (doc === undefined) {
      problems.push(`kvt ${command.name}: --${flag.long} is accepted but not documented under "Options:"`);
      continue;
    }
    if (doc.short !== flag.short) problems.push(`kvt ${command.name}: --${flag.long} is documented with short form ${doc.short === undefined ? 'none' : `-${doc.short}`}, the parser has ${flag.short === undefined ? 'none' : `-${flag.short}`}`);
    if (doc.optionalValue !== true && (doc.value !== undefined) !== flag.takesValue) problems.push(`kvt ${command.name}: --${flag.long} ${flag.takesValue ? 'takes a value, its help names none' : 'is a switch, its help names a value'}`);
    if (doc.description.trim() === '') problems.push(`kvt ${command.name}: --${flag.long} has no description`);
  }
  // -h, --help is kvt's own (cli/kvt.ts answers it before the command parses): listing it is fine.
  for (const doc of documented) if (!accepted.has(doc.long) && doc.long !== 'help') problems.push(`kvt ${command.name}: --${doc.long} is documented but the parser does not accept it`);
  return problems;
}

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('every kvt subcommand documents its flags', () => {
  it.each(COMMANDS.map(([name, load]) => [name, load] as const))('kvt %s: --help lists every flag the parser accepts, and only those', async (_name, load) => {
    const command = await load();
    const { flags, problems } = await acceptedFlags(command);
    for (const doc of documentedFlags(command.usage)) {
      if (!flags.has(doc.long) && doc.long !== 'help' && await acceptedBeforeParsing(command, doc)) flags.set(doc.long, { long: doc.long, short: doc.short, takesValue: doc.value !== undefined });
    }
    expect([...problems, ...helpProblems(command, flags)]).toEqual([]);
  });

  it.each(COMMANDS.map(([name]) => name))('kvt %s --help prints the usage and exits 0; an unknown flag is refused in kubectl\'s words', async (name) => {
    const help = await kvt(name, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain(`Usage: kvt ${name}`);
    const command = await (COMMANDS.find(([n]) => n === name)?.[1]() ?? Promise.reject(new Error(name)));
    const sub = subcommands(command)[0];
    const refused = await kvt(name, ...(sub === undefined ? [] : [sub]), PROBE);
    expect(refused).toEqual({ code: 1, out: '', err: `error: unknown flag: ${PROBE}\nSee 'kvt ${name} --help' for usage.\n` });
  });
});

describe('a command line kvt cannot parse, in kubectl\'s words', () => {
  it.each([
    [['crds', '-x'], "error: unknown shorthand flag: 'x' in -x\nSee 'kvt crds --help' for usage.\n"],
    [['validate', '-Rx', 'examples/'], "error: unknown shorthand flag: 'x' in -Rx\nSee 'kvt validate --help' for usage.\n"],
    [['crds', '--nope=1'], "error: unknown flag: --nope\nSee 'kvt crds --help' for usage.\n"],
    [['crds', '-o'], "error: flag needs an argument: 'o' in -o\nSee 'kvt crds --help' for usage.\n"],
    [['crds', '--output'], "error: flag needs an argument: --output\nSee 'kvt crds --help' for usage.\n"],
    [['run', '-f', 'x.yaml', '--console=yes'], "error: invalid argument \"yes\" for \"--console\" flag: it takes no value\nSee 'kvt run --help' for usage.\n"],
    [['--nope'], "error: unknown flag: --nope\nSee 'kvt --help' for usage.\n"],
    [['-x'], "error: unknown shorthand flag: 'x' in -x\nSee 'kvt --help' for usage.\n"],
    [['version', 'extra'], "error: unexpected argument \"extra\"\nSee 'kvt version --help' for usage.\n"],
  ])('kvt %j', async (args, err) => {
    expect(await kvt(...args)).toEqual({ code: 1, out: '', err });
  });

  it('kvt help COMMAND is the command\'s help, as kubectl help COMMAND; an unknown one is refused', async () => {
    expect(await kvt('help', 'crds')).toEqual(await kvt('crds', '--help'));
    expect(await kvt('help', 'nosuch')).toMatchObject({ code: 1, err: 'error: unknown command "nosuch" for "kvt"\n' });
  });

  it('a message that already says error: gets one prefix', async () => {
    const r = await kvt('scale', 'nosuchkind', 'x', '--replicas', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: the server doesn't have a resource type "nosuchkind"\n/);
  });
});

describe('the kvt process', () => {
  it('ends quietly when its reader goes away (kvt crds | head -1), as SIGPIPE ends kubectl', async () => {
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile('bash', ['-c', `set -o pipefail; ${JSON.stringify(process.execPath)} bin/kvt.js crds | head -1`], (err, stdout, stderr) => done({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stdout, stderr }));
    });
    expect(r).toEqual({ code: 141, stdout: '---\n', stderr: '' });
  });
});

describe('the Options: section reader', () => {
  it('reads short and long forms, value placeholders and wrapped descriptions', () => {
    const usage = [
      'kvt x [-o F] FILE',
      '',
      'Options:',
      '  -o, --output yaml|json   print the objects',
      '      --presets DIR        presets admission may use,',
      '                           read once',
      '  --console                copy the console',
      '  --wait[=true|false]      wait until done',
      '',
      'Exit status: 0 ok.',
      '  --not-an-option  after the section',
    ].join('\n');
    expect(documentedFlags(usage)).toEqual([
      { long: 'output', short: 'o', value: 'yaml|json', description: 'print the objects' },
      { long: 'presets', value: 'DIR', description: 'presets admission may use, read once' },
      { long: 'console', description: 'copy the console' },
      { long: 'wait', value: 'true|false', optionalValue: true, description: 'wait until done' },
    ]);
    expect(hasOptionsSection('kvt version')).toBe(false);
  });

  it('finds an undocumented flag, a wrong short form, a stale entry and a missing value', () => {
    const command: Command = { name: 'x', summary: '', usage: 'kvt x\n\nOptions:\n  --a V   the a\n  -b, --bee  the bee\n  --gone  no more', run: () => Promise.resolve(0) };
    const accepted = new Map<string, AcceptedFlag>([
      ['a', { long: 'a', short: undefined, takesValue: false }],
      ['bee', { long: 'bee', short: 'c', takesValue: false }],
      ['new', { long: 'new', short: undefined, takesValue: true }],
    ]);
    expect(helpProblems(command, accepted)).toEqual([
      'kvt x: --a is a switch, its help names a value',
      'kvt x: --bee is documented with short form -b, the parser has -c',
      'kvt x: --new is accepted but not documented under "Options:"',
      'kvt x: --gone is documented but the parser does not accept it',
    ]);
  });
});
