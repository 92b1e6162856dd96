/**
 * `kvt create -f` and `kvt replace -f`: each object of the manifests written as is (a POST, or a
 * PUT of the whole object), with kubectl's flags and lines (`virtualmachine.kubevirt.io/demo created`).
 */
import type { KubeApi, KubeObject, WriteOptions } from '../../core/kube.js';
import { describeApiError, resourceName } from '../../local/apply.js';
import type { Command, CommandIo } from '../command.js';
import { TARGET_USAGE, withKube } from '../kube-target.js';
import { dryRunSuffix, writeOptions, WRITE_FLAG_USAGE, type DryRun } from '../write-flags.js';
import { manifestObjects, parseManifestWrite } from './apply.js';

interface Verb {
  readonly name: 'create' | 'replace';
  /** kubectl's `error when …ing`. */
  readonly doing: string;
  readonly done: string;
  readonly write: (kube: KubeApi, object: KubeObject, options: WriteOptions) => Promise<KubeObject>;
}

interface WriteRun {
  readonly kube: KubeApi;
  readonly verb: Verb;
  readonly dryRun: DryRun;
  readonly options: WriteOptions;
  readonly io: CommandIo;
}

async function writeOne(run: WriteRun, item: { object: KubeObject; source: string }): Promise<boolean> {
  const { kube, verb, io } = run;
  const flags = run;
  // The API's warnings (admission's, an unknown field's), printed as kubectl prints Warning headers.
  const warnings: string[] = [];
  try {
    const written = flags.dryRun === 'client' ? item.object : await verb.write(kube, item.object, { ...flags.options, warnings });
    for (const w of warnings) io.err(`Warning: ${w}\n`);
    io.out(`${resourceName(written)} ${verb.done}${dryRunSuffix(flags.dryRun)}\n`);
    return true;
  } catch (e) {
    io.err(`${describeApiError(e, verb.doing, item.source)}\n`);
    return false;
  }
}

function runner(verb: Verb): Command['run'] {
  return async (args, io) => {
    const { values, files, validation, dryRun } = parseManifestWrite(args, verb.name);
    return withKube(values, async (kube, namespace) => {
      const { objects, errors, warnings } = await manifestObjects(files, { recursive: values.recursive, namespace, duplicates: validation.duplicates });
      for (const line of [...errors, ...warnings]) io.err(`${line}\n`);
      let failed = errors.length > 0;
      const run: WriteRun = { kube, verb, dryRun, options: writeOptions(validation, dryRun), io };
      for (const item of objects) failed = !(await writeOne(run, item)) || failed;
      return failed ? 1 : 0;
    });
  };
}

function usage(name: string, what: string): string {
  return [
    `kvt ${name} -f FILE|DIR [-f ...] [-R] [-n NS] [--validate strict|warn|ignore] [--dry-run none|client|server] [--data-dir D | --socket S | --kubeconfig F]`,
    '',
    'Options:',
    `  -f, --filename FILE|DIR         a manifest file, a directory of them, or - for stdin (repeatable): the objects to ${what}`,
    '  -R, --recursive                 read directories recursively',
    ...WRITE_FLAG_USAGE,
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n');
}

/** `kvt create -f`: creates each object (an existing one is an AlreadyExists error). */
export const createCommand: Command = {
  name: 'create',
  summary: 'create objects from manifests (an existing object is an error)',
  usage: usage('create', 'create'),
  run: runner({ name: 'create', doing: 'creating', done: 'created', write: (kube, object, options) => kube.create(object, options) }),
};

/** `kvt replace -f`: replaces each existing object whole (metadata.resourceVersion, when given, is the precondition). */
export const replaceCommand: Command = {
  name: 'replace',
  summary: 'replace existing objects with the manifests\' (a missing object is an error)',
  usage: usage('replace', 'replace whole'),
  run: runner({ name: 'replace', doing: 'replacing', done: 'replaced', write: (kube, object, options) => kube.update(object, options) }),
};
