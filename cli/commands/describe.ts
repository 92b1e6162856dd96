import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { KubeObject } from '../../core/kube.js';
import { describeApiError } from '../../local/apply.js';
import { DAEMON_OPTIONS, DAEMON_OPTIONS_HELP, withDaemon } from '../daemon-client.js';
import { describeObject, type EventLike } from '../describe.js';
import { resolveResource, unknownResource } from '../resources.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { ExternalGvk } from '../../crd-gen/index.js';

/** Whether an Event is about `object`, as kubectl describe selects them (involvedObject name, namespace, kind, and uid when the object has one). */
function about(e: EventLike, object: KubeObject): boolean {
  const o = e.involvedObject ?? {};
  const uid = object.metadata.uid ?? '';
  return o.name === object.metadata.name && (o.namespace ?? '') === (object.metadata.namespace ?? '') && o.kind === object.kind && (uid === '' || o.uid === uid);
}

async function describeCommandRun(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: { ...DAEMON_OPTIONS }, allowPositionals: true, strict: true });
  const [word, name, ...extra] = positionals;
  if (word === undefined || name === undefined || extra.length > 0) throw new UsageError('name a resource type and a name, e.g. `kvt describe vmi demo`');
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word));
  const namespace = resource.namespaced ? (values.namespace ?? 'default') : undefined;
  return withDaemon(values, async (kube) => {
    try {
      const object = await kube.get<KubeObject>(resource.type, namespace, name);
      const events = (await kube.list<KubeObject & EventLike>(ExternalGvk.Event, namespace === undefined ? {} : { namespace })).items.filter((e) => about(e, object));
      io.out(describeObject(object, events, new Date()));
      return 0;
    } catch (e) {
      io.err(isNotFound(e) ? `Error from server (NotFound): ${resource.display} "${name}" not found\n` : `${describeApiError(e, 'describing', name)}\n`);
      return 1;
    }
  });
}

/** `kvt describe KIND NAME`. */
export const describeCommand: Command = {
  name: 'describe',
  summary: 'show an object of the local control plane in detail, with its events',
  usage: [
    'kvt describe KIND NAME [-n NS] [--data-dir D | --socket S]',
    '',
    'Options:',
    ...DAEMON_OPTIONS_HELP,
    '  -h, --help           show this help',
  ].join('\n'),
  run: describeCommandRun,
};
