import { parseArgs } from 'node:util';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { applyObject, applyOrder, type SourcedObject } from '../../local/apply.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { readSources } from '../manifest-sources.js';

/** The objects of the sources in apply order, namespace-less ones put in `namespace`; unreadable sources are errors. */
export async function manifestObjects(paths: readonly string[], options: { readonly recursive: boolean; readonly namespace: string }): Promise<{ objects: SourcedObject[]; errors: string[] }> {
  const { objects, errors } = await readSources(paths, options.recursive);
  const ordered = applyOrder(objects.map((o) => ({ ...o, kind: o.object['kind'] }))).map(({ object, source }) => {
    // Objects go to the API as read; one without apiVersion, kind or metadata is refused there, with kubectl's message.
    const kubeObject = object as unknown as KubeObject;
    return { object: { ...kubeObject, metadata: { namespace: options.namespace, ...kubeObject.metadata } }, source };
  });
  return { objects: ordered, errors: errors.map((e) => `error: ${e.source}: ${e.message}`) };
}

/** Applies every object of the sources (namespace-less ones to `namespace`); the exit code. */
export async function applySources(kube: KubeApi, paths: readonly string[], options: { readonly recursive: boolean; readonly namespace: string }, io: CommandIo): Promise<number> {
  const { objects, errors } = await manifestObjects(paths, options);
  for (const e of errors) io.err(`${e}\n`);
  let failed = errors.length > 0;
  for (const { object, source } of objects) {
    const outcome = await applyObject(kube, object, source);
    if (outcome.ok) io.out(`${outcome.line}\n`);
    else io.err(`${outcome.line}\n`);
    failed ||= !outcome.ok;
  }
  return failed ? 1 : 0;
}

async function apply(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { ...DAEMON_OPTIONS, filename: { type: 'string', short: 'f', multiple: true }, recursive: { type: 'boolean', short: 'R', default: false } },
    allowPositionals: false,
    strict: true,
  });
  const files = values.filename ?? [];
  if (files.length === 0) throw new UsageError('name what to apply with -f FILE|DIR (repeatable; - for stdin)');
  return withDaemon(values, (kube) => applySources(kube, files, { recursive: values.recursive, namespace: values.namespace ?? 'default' }, io));
}

/** `kvt apply -f`: create or update objects in the local control plane (server-side apply). */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'create or update objects in the local control plane (kvt daemon) from manifests',
  usage: 'kvt apply -f FILE|DIR [-f ...] [-R] [-n NS] [--data-dir D | --socket S]',
  run: apply,
};
