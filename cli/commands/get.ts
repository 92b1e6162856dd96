import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { KubeObject } from '../../core/kube.js';
import { toYaml } from '../../core/yaml.js';
import type { KindName } from '../../crd-gen/index.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { formatRows, humanDuration, printTable } from '../printer.js';
import { resolveResource, unknownResource, type Resource } from '../resources.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { describeApiError, resourceName } from '../../local/apply.js';
import { asList } from '../../core/manifests.js';

const OUTPUTS = ['wide', 'yaml', 'json', 'name'] as const;
type Output = (typeof OUTPUTS)[number] | undefined;

interface GetOptions {
  readonly resource: Resource;
  readonly word: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly output: Output;
  readonly values: { readonly 'data-dir'?: string; readonly socket?: string };
}

function parseOptions(args: readonly string[]): GetOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...DAEMON_OPTIONS, output: { type: 'string', short: 'o' }, 'all-namespaces': { type: 'boolean', short: 'A', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [word, name, ...extra] = positionals;
  if (word === undefined) throw new UsageError('name a resource type, e.g. `kvt get vmis`');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const output = values.output as Output;
  if (output !== undefined && !(OUTPUTS as readonly string[]).includes(output)) throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}`);
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word));
  const namespace = values['all-namespaces'] ? undefined : (values.namespace ?? 'default');
  return { resource, word, name, namespace: resource.namespaced ? namespace : undefined, output, values };
}

function coreTable(objects: readonly KubeObject[], now: Date): string {
  const age = (o: KubeObject): string => (o.metadata.creationTimestamp === undefined ? '<unknown>' : humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)));
  const status = (o: KubeObject): string => {
    const s = (o as { status?: { phase?: string } }).status;
    return s?.phase ?? '';
  };
  return formatRows([['NAME', 'STATUS', 'AGE'], ...objects.map((o) => [o.metadata.name ?? '', status(o), age(o)])]);
}

function render(options: GetOptions, objects: readonly KubeObject[], single: boolean): string {
  const now = new Date();
  switch (options.output) {
    case 'yaml':
      return toYaml(single ? objects[0] : asList(objects));
    case 'json':
      return `${JSON.stringify(single ? objects[0] : asList(objects), null, 2)}\n`;
    case 'name':
      return objects.map((o) => `${resourceName({ ...o, apiVersion: options.resource.type.apiVersion, kind: options.resource.type.kind })}\n`).join('');
    default:
      if (!options.resource.ours) return coreTable(objects, now);
      return printTable(options.resource.type.kind as KindName, objects, { now, wide: options.output === 'wide', withNamespace: options.namespace === undefined && options.resource.namespaced });
  }
}

async function get(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  return withDaemon(options.values, async (kube) => {
    try {
      const objects = options.name !== undefined
        ? [await kube.get<KubeObject>(options.resource.type, options.namespace, options.name)]
        : (await kube.list<KubeObject>(options.resource.type, options.namespace === undefined ? {} : { namespace: options.namespace })).items;
      if (objects.length === 0 && (options.output === undefined || options.output === 'wide')) {
        io.err(options.namespace === undefined ? 'No resources found\n' : `No resources found in ${options.namespace} namespace.\n`);
        return 0;
      }
      io.out(render(options, [...objects].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')), options.name !== undefined));
      return 0;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      io.err(`Error from server (NotFound): ${options.resource.display} "${options.name ?? ''}" not found\n`);
      return 1;
    }
  }).catch((e: unknown) => {
    io.err(`${describeApiError(e, 'getting', options.word)}\n`);
    return 1;
  });
}

/** `kvt get KIND [NAME]`: objects of the local control plane, as kubectl prints them. */
export const getCommand: Command = {
  name: 'get',
  summary: 'list objects of the local control plane (kvt daemon), as kubectl does',
  usage: [
    'kvt get KIND [NAME] [-n NS | -A] [-o wide|yaml|json|name] [--data-dir D | --socket S]',
    '',
    'KIND is a kind, plural or short name: vms, vmis, vmirs, vmipresets, pods, nodes, …',
  ].join('\n'),
  run: get,
};
