import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedFlags } from '../help-options.js';
import { COMMANDS, runKvt } from '../kvt.js';
import { resourceWords } from './completion.js';

const run = promisify(execFile);

async function kvt(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKvt(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

async function hasShell(shell: string): Promise<boolean> {
  return run(shell, ['-c', 'exit 0']).then(() => true, () => false);
}

/** zsh is optional on a build machine; bash is required. */
const HAS_ZSH = await hasShell('zsh');

let dir = '';
let bashScript = '';
let zshScript = '';
/** A stand-in for kvt at completion time: records its arguments and prints two VM names as `-o name` does. */
let fakeKvt = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-completion-'));
  bashScript = join(dir, 'kvt.bash');
  zshScript = join(dir, '_kvt');
  const bash = await kvt('completion', 'bash');
  const zsh = await kvt('completion', 'zsh');
  expect([bash.code, bash.err, zsh.code, zsh.err]).toEqual([0, '', 0, '']);
  await writeFile(bashScript, bash.out);
  await writeFile(zshScript, zsh.out);
  fakeKvt = join(dir, 'fake-kvt');
  await writeFile(fakeKvt, `#!/bin/sh\necho "$@" > ${JSON.stringify(join(dir, 'args'))}\necho virtualmachine.kubevirt.io/demo\necho virtualmachine.kubevirt.io/web\n`);
  await chmod(fakeKvt, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** COMPREPLY after bash completes the last of `words` (the first is the program). */
async function bashComplete(words: readonly string[]): Promise<string[]> {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `source ${JSON.stringify(bashScript)}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; __start_kvt; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['-c', script]);
  return stdout.split('\n').filter((l) => l !== '');
}

describe('kvt completion', () => {
  it('refuses a shell it does not know', async () => {
    expect(await kvt('completion', 'fish')).toMatchObject({ code: 1, err: expect.stringContaining('unsupported shell type "fish"') });
    expect((await kvt('completion')).code).toBe(1);
  });

  it('prints a bash script that bash parses', async () => {
    await expect(run('bash', ['-n', bashScript])).resolves.toMatchObject({ stderr: '' });
  });

  it('completes the commands, every command of the COMMANDS table', async () => {
    expect(await bashComplete(['kvt', 'ge'])).toEqual(['get']);
    expect(await bashComplete(['kvt', 'virt-'])).toEqual(['virt-launcher', 'virt-handler', 'virt-api', 'virt-controller']);
    expect((await bashComplete(['kvt', ''])).sort()).toEqual(COMMANDS.map(([name]) => name).sort());
  });

  it('completes each command\'s flags from its --help text', async () => {
    expect(await bashComplete(['kvt', 'scale', 'vmirs', 'web', '--re'])).toEqual(['--replicas']);
    for (const [name, load] of COMMANDS) {
      const documented = documentedFlags((await load()).usage).map((f) => `--${f.long}`);
      const offered = (await bashComplete(['kvt', name, '--'])).sort();
      expect(offered, name).toEqual([...new Set(documented)].sort());
    }
  });

  it('offers the values a flag names, and file names for other values', async () => {
    expect(await bashComplete(['kvt', 'crds', '-o', ''])).toEqual(['yaml', 'json']);
    expect(await bashComplete(['kvt', 'validate', '--output', 'j'])).toEqual(['json']);
    // -f takes a file: no words of ours, bash's default (file names) completes.
    expect(await bashComplete(['kvt', 'run', '-f', 'zz-no-such-prefix'])).toEqual([]);
  });

  it('completes resource types after get, and object names by asking kvt get TYPE -o name with the line\'s namespace and daemon', async () => {
    const types = await bashComplete(['kvt', 'get', 'vm']);
    expect(types).toEqual(expect.arrayContaining(['vmis', 'vmirs', 'vms', 'vmipresets']));
    expect(types.every((t) => t.startsWith('vm'))).toBe(true);
    expect(resourceWords()).toContain('pods');
    expect(await bashComplete([fakeKvt, 'get', '-n', 'prod', 'vms', '--socket', '/tmp/s.sock', ''])).toEqual(['demo', 'web']);
    expect((await readFile(join(dir, 'args'), 'utf8')).trim()).toBe('get vms -o name -n prod --socket /tmp/s.sock');
    expect(await bashComplete([fakeKvt, 'describe', 'vm', 'w'])).toEqual(['web']);
  });

  it('completes the VM names of start and the subcommands of image and completion', async () => {
    expect(await bashComplete([fakeKvt, 'start', 'd'])).toEqual(['demo']);
    expect((await readFile(join(dir, 'args'), 'utf8')).trim()).toBe('get vms -o name');
    expect(await bashComplete(['kvt', 'image', ''])).toEqual(['pull', 'import', 'list', 'remove', 'prune']);
    expect(await bashComplete(['kvt', 'completion', ''])).toEqual(['bash', 'zsh']);
  });

  it.runIf(HAS_ZSH)('prints a zsh script that zsh parses, and its candidates run in zsh', async () => {
    await expect(run('zsh', ['-n', zshScript])).resolves.toMatchObject({ stderr: '' });
    // _kvt as zsh's completion system calls it: words and CURRENT set, compadd and _files receiving the result.
    const candidates = async (...words: string[]): Promise<string[]> => {
      const script = [
        'compdef() { :; }', `source ${JSON.stringify(zshScript)}`, 'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }', '_files() { print -- "(files)"; }',
        `words=(${words.map((w) => `'${w}'`).join(' ')})`, `CURRENT=${words.length}`, '_kvt',
      ].join('\n');
      return (await run('zsh', ['-f', '-c', script])).stdout.split('\n').filter((l) => l !== '');
    };
    expect(await candidates('kvt', 'sc')).toContain('scale');
    expect(await candidates('kvt', 'apply', '-f', '')).toEqual(['(files)']);
    expect(await candidates('kvt', 'crds', '-o', '')).toEqual(['yaml', 'json']);
    expect(await candidates(fakeKvt, 'get', 'vms', '-n', 'prod', '')).toEqual(['demo', 'web']);
    expect((await readFile(join(dir, 'args'), 'utf8')).trim()).toBe('get vms -o name -n prod');
  });
});
