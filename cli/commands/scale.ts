import { parseArgs } from 'node:util';
import { describeApiError, resourceKind } from '../../local/apply.js';
import { DAEMON_OPTIONS, DAEMON_OPTIONS_HELP, withDaemon } from '../daemon-client.js';
import { resolveResource, unknownResource } from '../resources.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

async function scale(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS, replicas: { type: 'string' } }, allowPositionals: true, strict: true });
  const [word, name, ...extra] = positionals;
  if (word === undefined || name === undefined || extra.length > 0) throw new UsageError('name the replica set, e.g. `kvt scale vmirs web --replicas 3`');
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word));
  if (resource.type.kind !== 'VirtualMachineInstanceReplicaSet') throw new UsageError(`${resource.display} cannot be scaled; kvt scale works on vmirs`);
  const replicas = Number(values.replicas);
  if (values.replicas === undefined || !/^\d+$/.test(values.replicas) || !Number.isSafeInteger(replicas)) throw new UsageError('--replicas must be a non-negative integer');
  return withDaemon(values, async (kube) => {
    try {
      await kube.patch(resource.type, { namespace: values.namespace ?? 'default', name }, { type: 'merge', body: { spec: { replicas } } });
      io.out(`${resourceKind(resource.type)}/${name} scaled\n`);
      return 0;
    } catch (e) {
      io.err(`${describeApiError(e, 'scaling', name)}\n`);
      return 1;
    }
  });
}

/** `kvt scale vmirs NAME --replicas N`. */
export const scaleCommand: Command = {
  name: 'scale',
  summary: 'set the replica count of a VirtualMachineInstanceReplicaSet',
  usage: [
    'kvt scale vmirs NAME --replicas N [-n NS] [--data-dir D | --socket S]',
    '',
    'Sets spec.replicas of the VirtualMachineInstanceReplicaSet NAME (a merge patch); its controller',
    'then creates or deletes VMIs to match.',
    '',
    'Options:',
    '  --replicas N         the new number of replicas, 0 or more   (required)',
    ...DAEMON_OPTIONS_HELP,
  ].join('\n'),
  run: scale,
};
