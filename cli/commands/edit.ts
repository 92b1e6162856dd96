/**
 * `kvt edit`: an object opened in $KUBE_EDITOR, else $EDITOR, else vi, and written back (an update
 * with the read resourceVersion as precondition). As kubectl does: an unchanged or emptied file
 * cancels ("Edit cancelled, no changes made."); a refused write re-opens the file with the errors as
 * comment lines at its top; saving it again unchanged gives up.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError } from '../../core/errors.js';
import type { FieldValidation, KubeApi, KubeObject } from '../../core/kube.js';
import { parseManifests, type DuplicateFields } from '../../core/manifests.js';
import { toYaml } from '../../core/yaml.js';
import { resourceKind } from '../../local/apply.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { editBuffer, withoutComments } from '../edit-buffer.js';
import { TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { parseObjectArgs, type ObjectRef } from '../object-args.js';
import { parseValidate } from '../write-flags.js';

/** Opens a file in the user's editor and resolves when it exits. */
export type Editor = (file: string) => Promise<void>;

/** The editor of $KUBE_EDITOR, else $EDITOR, else vi, run through the shell (it may carry arguments). */
export function shellEditor(env: NodeJS.ProcessEnv = process.env): Editor {
  const command = env['KUBE_EDITOR'] ?? env['EDITOR'] ?? 'vi';
  return (file) => new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${command} "$1"`, 'kvt-edit', file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new UsageError(`there was a problem with the editor ${JSON.stringify(command)}`))));
  });
}

/** How an edit is made. */
export interface EditOptions {
  readonly editor: Editor;
  readonly output: 'yaml' | 'json';
  readonly fieldValidation: FieldValidation;
  readonly duplicates: DuplicateFields;
}

const render = (object: unknown, output: 'yaml' | 'json'): string => (output === 'json' ? `${JSON.stringify(object, null, 4)}\n` : toYaml(object));

/** The object of the edited text, or the lines saying why it is not one. */
function parseEdited(text: string, duplicates: DuplicateFields): KubeObject | string[] {
  const parsed = parseManifests('edited', text, { duplicates });
  if (parsed.errors.length > 0) return parsed.errors.map((e) => e.message);
  if (parsed.objects.length !== 1) return [`the edited file must hold one object, not ${parsed.objects.length}`];
  return parsed.objects[0]?.object as unknown as KubeObject;
}

function refusalLines(e: unknown): string[] {
  if (!(e instanceof ApiError)) return [e instanceof Error ? e.message : String(e)];
  return [e.message, ...e.causes.filter((c) => !e.message.includes(`${c.field}: ${c.message}`)).map((c) => `${c.field === '' ? '' : `${c.field}: `}${c.message}`)];
}

/** Writes the edited text back; undefined once saved, else the lines saying why it was not. */
async function save(kube: KubeApi, edited: string, options: EditOptions): Promise<string[] | undefined> {
  const object = parseEdited(edited, options.duplicates);
  if (Array.isArray(object)) return object;
  try {
    await kube.update(object, { fieldValidation: options.fieldValidation });
    return undefined;
  } catch (e) {
    return refusalLines(e);
  }
}

/** Edits one object; the exit code. */
export async function editObject(kube: KubeApi, target: { readonly ref: ObjectRef; readonly namespace: string }, options: EditOptions, io: CommandIo): Promise<number> {
  const { resource, name } = target.ref;
  const ns = resource.namespaced ? target.namespace : undefined;
  const original = await kube.get<KubeObject>(resource.type, ns, name);
  const originalBody = render(original, options.output);
  const dir = await mkdtemp(join(tmpdir(), 'kvt-edit-'));
  const file = join(dir, `${name}.${options.output === 'json' ? 'json' : 'yaml'}`);
  try {
    let buffer = editBuffer(originalBody);
    let lastRefused: string | undefined;
    for (;;) {
      await writeFile(file, buffer);
      await options.editor(file);
      const edited = withoutComments(await readFile(file, 'utf8'));
      if (edited === '' || (lastRefused === undefined && edited === originalBody.trim())) {
        io.err('Edit cancelled, no changes made.\n');
        return 0;
      }
      if (edited === lastRefused) {
        io.err('error: Edit cancelled, no valid changes were saved.\n');
        return 1;
      }
      const problems = await save(kube, edited, options);
      if (problems === undefined) {
        io.out(`${resourceKind(resource.type)}/${name} edited\n`);
        return 0;
      }
      lastRefused = edited;
      buffer = editBuffer(`${edited}\n`, { title: `${resource.display} ${JSON.stringify(name)} was not valid:`, lines: problems });
      io.err(`error: ${resource.display} ${JSON.stringify(name)} could not be saved: ${problems[0] ?? ''}\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function edit(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...TARGET_OPTIONS, output: { type: 'string', short: 'o', default: 'yaml' }, validate: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const refs = parseObjectArgs(positionals);
  const [ref, ...others] = refs;
  if (ref === undefined || others.length > 0) throw new UsageError('edit one object: KIND NAME or KIND/NAME');
  if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError(`--output must be yaml or json, not ${JSON.stringify(values.output)}`);
  const validation = parseValidate(values.validate);
  const options: EditOptions = { editor: shellEditor(), output: values.output, ...validation };
  return withKube(values, (kube, namespace) => editObject(kube, { ref, namespace }, options, io));
}

/** `kvt edit`. */
export const editCommand: Command = {
  name: 'edit',
  summary: 'edit an object in $KUBE_EDITOR or $EDITOR (default vi) and write it back',
  usage: [
    'kvt edit (KIND NAME | KIND/NAME) [-o yaml|json] [--validate strict|warn|ignore] [-n NS] [--data-dir D | --socket S | --kubeconfig F]',
    '',
    'Options:',
    '  -o, --output yaml|json          the format to edit in (default yaml)',
    '  --validate strict|warn|ignore   field validation: strict (default; also true) refuses unknown or repeated fields, warn reports them, ignore (also false) accepts them',
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n'),
  run: edit,
};
