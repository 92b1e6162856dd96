/** `kvt label` and `kvt annotate`: set or remove labels or annotations of objects, as kubectl does (a merge patch). */
import { parseArgs } from 'node:util';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { ApiError } from '../../core/errors.js';
import { resourceKind } from '../../local/apply.js';
import type { Command, CommandIo } from '../command.js';
import { apiErrorLine, TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { mapPatch, parseMapArgs, type MapChanges } from '../metadata-edits.js';
import { parseObjectArgs, type ObjectRef } from '../object-args.js';
import { dryRunSuffix, parseDryRun, WRITE_FLAG_USAGE, type DryRun } from '../write-flags.js';

interface MapVerb {
  readonly name: 'label' | 'annotate';
  readonly what: 'label' | 'annotation';
  readonly field: 'labels' | 'annotations';
  readonly done: string;
}

interface EditOne {
  readonly verb: MapVerb;
  readonly ref: ObjectRef;
  readonly namespace: string;
  readonly changes: MapChanges;
  readonly overwrite: boolean;
  readonly dryRun: DryRun;
}

async function editOne(kube: KubeApi, edit: EditOne, io: CommandIo): Promise<boolean> {
  const { verb, dryRun } = edit;
  const { resource, name } = edit.ref;
  const ns = resource.namespaced ? edit.namespace : undefined;
  const line = `${resourceKind(resource.type)}/${name}`;
  try {
    const current = await kube.get<KubeObject>(resource.type, ns, name);
    const body = mapPatch(current.metadata[verb.field], edit.changes, { field: verb.field, overwrite: edit.overwrite });
    if (body !== undefined && dryRun !== 'client') await kube.patch(resource.type, { name, ...(ns === undefined ? {} : { namespace: ns }) }, { type: 'merge', body }, dryRun === 'server' ? { dryRun: true } : {});
    io.out(`${line} ${body === undefined ? `not ${verb.done}` : verb.done}${dryRunSuffix(dryRun)}\n`);
    return true;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    io.err(`${apiErrorLine(e)}\n`);
    return false;
  }
}

function runner(verb: MapVerb): Command['run'] {
  return async (args: readonly string[], io: CommandIo): Promise<number> => {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...TARGET_OPTIONS, overwrite: { type: 'boolean', default: false }, 'dry-run': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const { objects, changes } = parseMapArgs(positionals, verb.what);
    const refs = parseObjectArgs(objects);
    const dryRun = parseDryRun(values['dry-run']);
    return withKube(values, async (kube, namespace) => {
      let failed = false;
      for (const ref of refs) failed = !(await editOne(kube, { verb, ref, namespace, changes, overwrite: values.overwrite, dryRun }, io)) || failed;
      return failed ? 1 : 0;
    });
  };
}

function usage(verb: MapVerb): string {
  return [
    `kvt ${verb.name} (KIND NAME... | KIND/NAME...) KEY=VALUE... [KEY-...] [--overwrite] [--dry-run none|client|server] [-n NS] [--data-dir D | --socket S | --kubeconfig F]`,
    '',
    'Options:',
    `  KEY=VALUE / KEY-                set the ${verb.what} KEY to VALUE / remove it`,
    `  --overwrite                     replace a ${verb.what} that has another value (without it, that is an error)`,
    ...WRITE_FLAG_USAGE.filter((l) => l.trimStart().startsWith('--dry-run')),
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n');
}

const LABEL: MapVerb = { name: 'label', what: 'label', field: 'labels', done: 'labeled' };
const ANNOTATE: MapVerb = { name: 'annotate', what: 'annotation', field: 'annotations', done: 'annotated' };

/** `kvt label`. */
export const labelCommand: Command = { name: 'label', summary: 'set or remove labels of objects', usage: usage(LABEL), run: runner(LABEL) };

/** `kvt annotate`. */
export const annotateCommand: Command = { name: 'annotate', summary: 'set or remove annotations of objects', usage: usage(ANNOTATE), run: runner(ANNOTATE) };
