import { parseArgs } from 'node:util';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { DuplicateFields } from '../../core/manifests.js';
import { applyObject, applyOrder, type ApplyOptions, type SourcedObject } from '../../local/apply.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { readSources } from '../manifest-sources.js';
import { parseDryRun, parseValidate, WRITE_FLAG_OPTIONS, WRITE_FLAG_USAGE, type DryRun, type Validation } from '../write-flags.js';

/** How manifests are read: recursion, the namespace of namespace-less objects, what a repeated field is. */
export interface ManifestReadOptions {
  readonly recursive: boolean;
  readonly namespace: string;
  readonly duplicates?: DuplicateFields;
}

/**
 * The objects of the sources in apply order, namespace-less ones put in `namespace`; unreadable
 * sources are errors, repeated fields errors or warnings as `duplicates` says.
 */
export async function manifestObjects(paths: readonly string[], options: ManifestReadOptions): Promise<{ objects: SourcedObject[]; errors: string[]; warnings: string[] }> {
  const { objects, errors, warnings } = await readSources(paths, options.recursive, options.duplicates === undefined ? {} : { duplicates: options.duplicates });
  const ordered = applyOrder(objects.map((o) => ({ ...o, kind: o.object['kind'] }))).map(({ object, source }) => {
    // Objects go to the API as read; one without apiVersion, kind or metadata is refused there, with kubectl's message.
    const kubeObject = object as unknown as KubeObject;
    return { object: { ...kubeObject, metadata: { namespace: options.namespace, ...kubeObject.metadata } }, source };
  });
  return { objects: ordered, errors: errors.map((e) => `error: ${e.source}: ${e.message}`), warnings: warnings.map((w) => `Warning: ${w.source}: ${w.message}`) };
}

/** Applies every object of the sources (namespace-less ones to `namespace`); the exit code. */
export async function applySources(kube: KubeApi, paths: readonly string[], options: ManifestReadOptions & ApplyOptions, io: CommandIo): Promise<number> {
  const { objects, errors, warnings } = await manifestObjects(paths, options);
  for (const e of errors) io.err(`${e}\n`);
  for (const w of warnings) io.err(`${w}\n`);
  let failed = errors.length > 0;
  for (const { object, source } of objects) {
    const admissionWarnings: string[] = [];
    const outcome = await applyObject(kube, object, source, { ...options, warnings: admissionWarnings });
    // The webhooks' AdmissionReview warnings, as kubectl prints the API server's Warning headers.
    for (const w of admissionWarnings) io.err(`Warning: ${w}\n`);
    if (outcome.ok) io.out(`${outcome.line}\n`);
    else io.err(`${outcome.line}\n`);
    failed ||= !outcome.ok;
  }
  return failed ? 1 : 0;
}

const MANIFEST_WRITE_OPTIONS = {
  ...TARGET_OPTIONS, ...WRITE_FLAG_OPTIONS, filename: { type: 'string', short: 'f', multiple: true }, recursive: { type: 'boolean', short: 'R', default: false },
} as const;

/** A parsed command line of a write from manifests. */
export interface ManifestWrite {
  readonly values: ReturnType<typeof parseArgs<{ options: typeof MANIFEST_WRITE_OPTIONS }>>['values'];
  readonly files: readonly string[];
  readonly validation: Validation;
  readonly dryRun: DryRun;
}

/** The command line of a write from manifests (apply, create, replace): -f/-R, --validate, --dry-run and where to write. */
export function parseManifestWrite(args: readonly string[], verb: string): ManifestWrite {
  const { values } = parseArgs({ args: [...args], options: MANIFEST_WRITE_OPTIONS, allowPositionals: false, strict: true });
  const files = values.filename ?? [];
  if (files.length === 0) throw new UsageError(`name what to ${verb} with -f FILE|DIR (repeatable; - for stdin)`);
  return { values, files, validation: parseValidate(values.validate), dryRun: parseDryRun(values['dry-run']) };
}

async function apply(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, files, validation, dryRun } = parseManifestWrite(args, 'apply');
  return withKube(values, (kube, namespace) =>
    applySources(kube, files, {
      recursive: values.recursive,
      namespace,
      duplicates: validation.duplicates,
      fieldValidation: validation.fieldValidation,
      ...(dryRun === 'none' ? {} : { dryRun }),
    }, io));
}

/** `kvt apply -f`: create or update objects (server-side apply), in the local control plane or a cluster. */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'create or update objects in the local control plane (kvt daemon) from manifests',
  usage: [
    'kvt apply -f FILE|DIR [-f ...] [-R] [-n NS] [--validate strict|warn|ignore] [--dry-run none|client|server] [--data-dir D | --socket S | --kubeconfig F]',
    '',
    'Options:',
    '  -f, --filename FILE|DIR         a manifest file, a directory of them, or - for stdin (repeatable)',
    '  -R, --recursive                 read directories recursively',
    ...WRITE_FLAG_USAGE,
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n'),
  run: apply,
};
