import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import { describeApiError, resourceKind } from '../../local/apply.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { resolveResource, unknownResource } from '../resources.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

async function del(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, cascade: { type: 'string', default: 'background' } }, allowPositionals: true, strict: true });
  const [word, ...names] = positionals;
  if (word === undefined || names.length === 0) throw new UsageError('name a resource type and at least one name, e.g. `kvt delete vm demo`');
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word));
  const policies = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' } as const;
  const policy = policies[values.cascade as keyof typeof policies] as (typeof policies)[keyof typeof policies] | undefined;
  if (policy === undefined) throw new UsageError('--cascade must be background, foreground or orphan');
  const namespace = resource.namespaced ? (values.namespace ?? 'default') : undefined;
  return withDaemon(values, async (kube) => {
    let failed = false;
    for (const name of names) {
      try {
        await kube.delete(resource.type, namespace, name, { propagationPolicy: policy });
        io.out(`${resourceKind(resource.type)} "${name}" deleted\n`);
      } catch (e) {
        failed = true;
        io.err(isNotFound(e) ? `Error from server (NotFound): ${resource.display} "${name}" not found\n` : `${describeApiError(e, 'deleting', name)}\n`);
      }
    }
    return failed ? 1 : 0;
  });
}

/** `kvt delete KIND NAME...`: deletes objects of the local control plane (children follow by GC). */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete objects of the local control plane (kvt daemon); a VM takes its VMI with it',
  usage: 'kvt delete KIND NAME... [-n NS] [--cascade background|foreground|orphan] [--data-dir D | --socket S]',
  run: del,
};
