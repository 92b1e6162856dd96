import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiError, isNotFound } from '../../core/errors.js';
import type { KubeObject, ListOptions, Watch, WatchEvent } from '../../core/kube.js';
import { toYaml } from '../../core/yaml.js';
import { describeApiError } from '../../local/apply.js';
import type { ApiSocketClient } from '../../local/runtime/api-client.js';
import { type Command, type CommandIo } from '../command.js';
import { DAEMON_OPTIONS, DAEMON_OPTIONS_HELP, withDaemon } from '../daemon-client.js';
import { customHeader, customRow, jsonpathText, kubectlJson, kubectlList, parseOutput, sortedKeys, sortObjects, type CustomColumn, type OutputFormat } from '../get-output.js';
import { JsonPathError } from '../jsonpath.js';
import { sortEvents, tableOf, TableWriter, type EventLike } from '../printer.js';
import { kindPrefix, parseTargets, resolveResource, unknownResource, type Resource, type Target, type Targets } from '../resources.js';
import { untilInterrupted } from '../signals.js';

/** A command line kubectl refuses after parsing it: one `error: …` line, exit 1 (no usage). */
class Refusal extends Error {}

/** kubectl's words when no resource type is given. */
const NO_TYPE = [
  'You must specify the type of resource to get. Use "kvt api-resources" for a complete list of supported resources.',
  '',
  'error: Required resource not specified.',
  'Use "kvt explain <resource>" for a detailed description of that resource (e.g. kvt explain vm).',
  "See 'kvt get -h' for help and examples",
  '',
].join('\n');

/** `--for TYPE/NAME` of `kvt get events`: the object whose Events to show. */
interface ForObject {
  readonly resource: Resource;
  readonly name: string;
}

interface GetOptions {
  readonly targets: Targets;
  /** Undefined: all namespaces (`-A`). */
  readonly namespace: string | undefined;
  readonly format: OutputFormat;
  readonly labelSelector: string | undefined;
  readonly fieldSelector: string | undefined;
  readonly watch: boolean;
  readonly watchOnly: boolean;
  readonly outputWatchEvents: boolean;
  readonly showLabels: boolean;
  readonly labelColumns: readonly string[];
  readonly withKind: boolean;
  readonly sortBy: string | undefined;
  readonly noHeaders: boolean;
  readonly ignoreNotFound: boolean;
  readonly forObject: ForObject | undefined;
  readonly daemon: { readonly 'data-dir'?: string; readonly socket?: string };
}

const OPTIONS = {
  ...DAEMON_OPTIONS,
  output: { type: 'string', short: 'o' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  watch: { type: 'boolean', short: 'w', default: false },
  'watch-only': { type: 'boolean', default: false },
  'output-watch-events': { type: 'boolean', default: false },
  'show-labels': { type: 'boolean', default: false },
  'label-columns': { type: 'string', short: 'L', multiple: true },
  'show-kind': { type: 'boolean', default: false },
  'sort-by': { type: 'string' },
  'no-headers': { type: 'boolean', default: false },
  'ignore-not-found': { type: 'boolean', default: false },
  for: { type: 'string' },
} as const;

function forObjectOf(value: string | undefined, targets: Targets): ForObject | undefined {
  if (value === undefined) return undefined;
  if (targets.targets.length !== 1 || targets.targets[0]?.resource.type.kind !== 'Event') throw new Refusal('--for is only valid with `kvt get events`');
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw new Refusal('--for must be in resource/name form');
  const resource = resolveResource(value.slice(0, slash));
  if (resource === undefined) throw new Refusal(unknownResource(value.slice(0, slash)).replace(/^error: /, ''));
  return { resource, name: value.slice(slash + 1) };
}

function outputOf(value: string | undefined): OutputFormat {
  try {
    return parseOutput(value, (path) => readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof JsonPathError || (e as NodeJS.ErrnoException).code !== undefined) throw new Refusal((e as Error).message);
    throw e;
  }
}

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

/** kubectl's refusals of flags that do not go together with the arguments. */
function checkCombinations(targets: Targets, values: Values, watch: boolean): void {
  const named = targets.targets.some((t) => t.names.length > 0);
  if (watch && (targets.targets.length > 1 || (targets.targets[0]?.names.length ?? 0) > 1)) {
    const count = targets.targets.reduce((n, t) => n + Math.max(1, t.names.length), 0);
    throw new Refusal(`watch is only supported on individual resources and resource collections, but ${count} resources were found`);
  }
  if (values.selector !== undefined && named) throw new Refusal('name cannot be provided when a selector is specified');
  if (values['all-namespaces'] && named) throw new Refusal('a resource cannot be retrieved by name across all namespaces');
}

/** `-L a,b -L c` → [a, b, c]. */
function labelColumnsOf(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((l) => l.split(',')).map((l) => l.trim()).filter((l) => l !== '');
}

/** kubectl names objects by kind when the arguments ask for several types (`all`, `a,b`) or --show-kind. */
function withKindOf(positionals: readonly string[], targets: Targets, showKind: boolean): boolean {
  const word = positionals[0] ?? '';
  const severalTypes = !word.includes('/') && (word.toLowerCase() === 'all' || word.includes(','));
  return showKind || severalTypes || targets.targets.length > 1;
}

function parseOptions(args: readonly string[]): GetOptions {
  const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  const targets = parseTargets(positionals);
  if (typeof targets === 'string') throw new Refusal(targets);
  const watch = values.watch || values['watch-only'];
  checkCombinations(targets, values, watch);
  return {
    targets,
    namespace: values['all-namespaces'] ? undefined : (values.namespace ?? 'default'),
    format: outputOf(values.output),
    labelSelector: values.selector,
    fieldSelector: values['field-selector'],
    watch,
    watchOnly: values['watch-only'],
    outputWatchEvents: values['output-watch-events'],
    showLabels: values['show-labels'],
    labelColumns: labelColumnsOf(values['label-columns']),
    withKind: withKindOf(positionals, targets, values['show-kind']),
    sortBy: values['sort-by'],
    noHeaders: values['no-headers'],
    ignoreNotFound: values['ignore-not-found'],
    forObject: forObjectOf(values.for, targets),
    daemon: values,
  };
}

/** The list options of a target in the namespace of the command (none for a cluster-scoped kind). */
function listOptions(options: GetOptions, target: Target): ListOptions {
  const namespace = target.resource.namespaced ? options.namespace : undefined;
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
    ...(options.fieldSelector === undefined ? {} : { fieldSelector: options.fieldSelector }),
  };
}

/** The subject of kubectl's list errors: the group/version and resource (`kubevirt.io/v1, Resource=virtualmachines`). */
function listSubject(resource: Resource): string {
  const plural = resource.display.split('.')[0] ?? resource.display;
  const version = resource.type.apiVersion.includes('/') ? resource.type.apiVersion : `/${resource.type.apiVersion}`;
  return `${version}, Resource=${plural}`;
}

/** A refused selector as kubectl reports it (its EnhanceListError), the API server's words after it. */
function selectorError(e: unknown, options: GetOptions, resource: Resource): unknown {
  if (!(e instanceof ApiError) || e.status !== 400 || (options.labelSelector === undefined && options.fieldSelector === undefined)) return e;
  const message = e.message.replace(/^(labelSelector|fieldSelector): /, '');
  return new ApiError(400, e.reason, `Unable to find ${JSON.stringify(listSubject(resource))} that match label selector ${JSON.stringify(options.labelSelector ?? '')}, field selector ${JSON.stringify(options.fieldSelector ?? '')}: ${message}`);
}

const groupOfVersion = (apiVersion: string | undefined): string => (apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

function involves(e: EventLike, target: ForObject, namespace: string | undefined): boolean {
  const o = e.involvedObject ?? {};
  const inNamespace = !target.resource.namespaced || namespace === undefined || o.namespace === namespace;
  return o.kind === target.resource.type.kind && o.name === target.name && groupOfVersion(o.apiVersion) === groupOfVersion(target.resource.type.apiVersion) && inNamespace;
}

/** The objects of a target kept after the client-side filter (`--for`). */
function kept(options: GetOptions, object: KubeObject): boolean {
  return options.forObject === undefined || involves(object as EventLike, options.forObject, options.namespace);
}

/** Objects in the order kvt prints them: Events by their last occurrence, the rest by namespace and name; then `--sort-by`. */
function ordered(options: GetOptions, target: Target, objects: readonly KubeObject[]): KubeObject[] {
  const byKey = [...objects].sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const natural = target.resource.type.kind === 'Event' ? sortEvents(byKey as (KubeObject & EventLike)[]) : byKey;
  return options.sortBy === undefined ? natural : sortObjects(natural, options.sortBy);
}

/** The API type on each object (a list's items may come without it). */
function typed(target: Target, object: KubeObject): KubeObject {
  return { ...object, apiVersion: object.apiVersion || target.resource.type.apiVersion, kind: object.kind || target.resource.type.kind };
}

interface Fetched {
  readonly target: Target;
  readonly objects: readonly KubeObject[];
  readonly resourceVersion: string;
  /** Names asked for that do not exist. */
  readonly missing: readonly string[];
}

async function fetchNamed(kube: ApiSocketClient, options: GetOptions, target: Target): Promise<Fetched> {
  const namespace = target.resource.namespaced ? (options.namespace ?? 'default') : undefined;
  const objects: KubeObject[] = [];
  const missing: string[] = [];
  for (const name of target.names) {
    try {
      objects.push(typed(target, await kube.get<KubeObject>(target.resource.type, namespace, name)));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      missing.push(name);
    }
  }
  const resourceVersion = objects[0]?.metadata.resourceVersion ?? '0';
  return { target, objects: options.sortBy === undefined ? objects : sortObjects(objects, options.sortBy), resourceVersion, missing };
}

async function fetchTarget(kube: ApiSocketClient, options: GetOptions, target: Target): Promise<Fetched> {
  if (target.names.length > 0) return fetchNamed(kube, options, target);
  try {
    const list = await kube.list<KubeObject>(target.resource.type, listOptions(options, target));
    const objects = list.items.map((o) => typed(target, o)).filter((o) => kept(options, o));
    return { target, objects: ordered(options, target, objects), resourceVersion: list.resourceVersion, missing: [] };
  } catch (e) {
    throw selectorError(e, options, target.resource);
  }
}

/** `kind.group/name` (kubectl's `-o name`). */
function nameLine(object: KubeObject): string {
  return `${kindPrefix(object)}/${object.metadata.name ?? ''}\n`;
}

function notFoundLine(resource: Resource, name: string): string {
  return `Error from server (NotFound): ${resource.display} "${name}" not found\n`;
}

function noResources(options: GetOptions): string {
  const namespaced = options.targets.targets.every((t) => t.resource.namespaced);
  return namespaced && options.namespace !== undefined ? `No resources found in ${options.namespace} namespace.\n` : 'No resources found\n';
}

function tableOptions(options: GetOptions, withKind: boolean, now: Date): Parameters<typeof tableOf>[2] {
  const wide = options.format.kind === 'table' && options.format.wide;
  return { now, wide, withNamespace: options.namespace === undefined, withKind, labelColumns: options.labelColumns, showLabels: options.showLabels };
}

/** The tables of each type, one after the other with a blank line between, as kubectl prints several types. */
function tables(options: GetOptions, fetched: readonly Fetched[], now: Date): string {
  const types = new Set(fetched.filter((f) => f.objects.length > 0).map((f) => f.target.resource.display));
  const withKind = options.withKind || types.size > 1;
  const writer = new TableWriter();
  const parts: string[] = [];
  for (const f of fetched) {
    if (f.objects.length === 0) continue;
    writer.reset();
    const table = tableOf(f.target.resource.type, f.objects, tableOptions(options, withKind, now));
    parts.push(writer.write(options.noHeaders ? table.rows : [table.header, ...table.rows]));
  }
  return parts.join('\n');
}

function customColumnsText(options: GetOptions, columns: readonly CustomColumn[], objects: readonly KubeObject[]): string {
  const rows = objects.map((o) => customRow(columns, o));
  return new TableWriter().write(options.noHeaders ? rows : [customHeader(columns), ...rows]);
}

/** What `kvt get` prints for the fetched objects, once (not watching). */
function render(options: GetOptions, fetched: readonly Fetched[], now: Date): string {
  const objects = fetched.flatMap((f) => f.objects);
  const data = options.targets.singleItem && objects.length === 1 ? objects[0] : kubectlList(objects);
  const { format } = options;
  switch (format.kind) {
    case 'table':
      return tables(options, fetched, now);
    case 'name':
      return objects.map(nameLine).join('');
    case 'yaml':
      return toYaml(sortedKeys(data));
    case 'json':
      return kubectlJson(data);
    case 'jsonpath':
      return jsonpathText(format.template, data);
    case 'custom-columns':
      return customColumnsText(options, format.columns, objects);
  }
}

async function getOnce(kube: ApiSocketClient, options: GetOptions, io: CommandIo): Promise<number> {
  const fetched: Fetched[] = [];
  for (const target of options.targets.targets) fetched.push(await fetchTarget(kube, options, target));
  const missing = fetched.flatMap((f) => f.missing.map((name) => notFoundLine(f.target.resource, name)));
  const text = render(options, fetched, new Date());
  io.out(text);
  const failed = missing.length > 0 && !options.ignoreNotFound;
  if (failed) io.err(missing.join(''));
  // kubectl's note when a table would be empty and nothing went wrong.
  if (text === '' && missing.length === 0 && options.format.kind === 'table') io.err(noResources(options));
  return failed ? 1 : 0;
}

/** Prints objects one change at a time, as kubectl's printers do under `--watch`: the header once, widths remembered. */
class StreamPrinter {
  private readonly writer = new TableWriter();
  private count = 0;

  constructor(private readonly options: GetOptions, private readonly target: Target, private readonly io: CommandIo) {}

  print(object: KubeObject, type: WatchEvent['type']): void {
    const first = this.count === 0;
    this.count++;
    this.io.out(this.text(object, type, first));
  }

  private text(object: KubeObject, type: WatchEvent['type'], first: boolean): string {
    const { format } = this.options;
    const value = this.options.outputWatchEvents ? { type, object } : object;
    switch (format.kind) {
      case 'table':
        return this.tableRow(object, type, first);
      case 'custom-columns':
        return this.customColumnsRow(format.columns, value, first);
      case 'name':
        return nameLine(object);
      case 'yaml':
        return `${first ? '' : '---\n'}${toYaml(sortedKeys(value))}`;
      case 'json':
        return kubectlJson(value);
      case 'jsonpath':
        return jsonpathText(format.template, value);
    }
  }

  private customColumnsRow(columns: readonly CustomColumn[], value: unknown, first: boolean): string {
    const row = customRow(columns, value);
    return this.writer.write(first && !this.options.noHeaders ? [customHeader(columns), row] : [row]);
  }

  private tableRow(object: KubeObject, type: string, first: boolean): string {
    const table = tableOf(this.target.resource.type, [object], tableOptions(this.options, this.options.withKind, new Date()));
    const events = this.options.outputWatchEvents;
    const header = events ? ['EVENT', ...table.header] : table.header;
    const rows = table.rows.map((r) => (events ? [type, ...r] : r));
    return this.writer.write(first && !this.options.noHeaders ? [header, ...rows] : rows);
  }
}

async function getWatching(kube: ApiSocketClient, options: GetOptions, io: CommandIo): Promise<number> {
  const target = options.targets.targets[0] as Target;
  const name = target.names[0];
  const watched: GetOptions = name === undefined ? options : { ...options, fieldSelector: `metadata.name=${name}` };
  const listed = await fetchTarget(kube, watched, { resource: target.resource, names: [] });
  if (name !== undefined && listed.objects.length === 0) {
    if (options.ignoreNotFound) return 0;
    io.err(notFoundLine(target.resource, name));
    return 1;
  }
  const printer = new StreamPrinter(options, target, io);
  if (!options.watchOnly) for (const o of listed.objects) printer.print(o, 'ADDED');
  let watch: Watch;
  try {
    watch = await kube.watch<KubeObject>(target.resource.type, { ...listOptions(watched, target), resourceVersion: listed.resourceVersion }, (event) => {
      if (event.type === 'BOOKMARK') return;
      const object = typed(target, event.object);
      if (kept(options, object)) printer.print(object, event.type);
    });
  } catch (e) {
    throw selectorError(e, watched, target.resource);
  }
  const ended = await Promise.race([untilInterrupted(io).then(() => 'stopped' as const), watch.done.then((e: unknown) => e ?? 'closed')]);
  watch.stop();
  if (ended === 'stopped' || ended === 'closed') return 0;
  throw ended;
}

/** The options, or the exit code of a refusal printed in kubectl's words. */
function optionsOrRefusal(args: readonly string[], io: CommandIo): GetOptions | number {
  try {
    return parseOptions(args);
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    io.err(e.message === 'Required resource not specified.' ? NO_TYPE : `error: ${e.message}\n`);
    return 1;
  }
}

async function get(args: readonly string[], io: CommandIo): Promise<number> {
  const options = optionsOrRefusal(args, io);
  if (typeof options === 'number') return options;
  const word = options.targets.targets.map((t) => t.resource.display).join(',');
  return withDaemon(options.daemon, (kube) => (options.watch ? getWatching(kube, options, io) : getOnce(kube, options, io))).catch((e: unknown) => {
    if (e instanceof JsonPathError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ApiError && e.status !== 503) {
      io.err(`Error from server (${e.reason}): ${e.message}\n`);
      return 1;
    }
    io.err(`${describeApiError(e, 'getting', word)}\n`);
    return 1;
  });
}

/** `kvt get TYPE [NAME…]`: objects of the local control plane, as kubectl prints them. */
export const getCommand: Command = {
  name: 'get',
  summary: 'list objects of the local control plane (kvt daemon), as kubectl does',
  usage: [
    'kvt get TYPE[,TYPE…] [NAME…] | TYPE/NAME… | all [-n NS | -A] [-o FORMAT] [flags] [--data-dir D | --socket S]',
    '',
    'TYPE is a kind, plural or short name, optionally with its group (vms, vmi, virtualmachines.kubevirt.io,',
    'vm.kubevirt.io, pods, nodes, events, …); `all` is the pods and KubeVirt\'s kinds.',
    '',
    'Options:',
    '  -o, --output FORMAT       wide|yaml|json|name|jsonpath=TEMPLATE|jsonpath-file=FILE|custom-columns=HDR:PATH,…|custom-columns-file=FILE',
    '  -A, --all-namespaces      every namespace (a NAMESPACE column first)',
    '  -l, --selector SEL        label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a (comma = and)',
    '  --field-selector SEL      metadata.name, metadata.namespace, status.phase (pods, VMIs) with =, ==, !=',
    '  -w, --watch               print the list, then one row per change (Ctrl-C ends)',
    '  --watch-only              only the changes',
    '  --output-watch-events     each change\'s type (ADDED, MODIFIED, DELETED) first',
    '  --show-labels             a LABELS column last',
    '  -L, --label-columns KEY,…   a column per label key (repeatable)',
    '  --show-kind               names as kind.group/name',
    '  --sort-by JSONPATH        e.g. .metadata.creationTimestamp, {.status.phase}',
    '  --no-headers              no header row',
    '  --ignore-not-found        a missing NAME is not an error',
    '  --for TYPE/NAME           with `get events`: only the Events of that object (e.g. vm/demo)',
    ...DAEMON_OPTIONS_HELP,
    '  -h, --help                show this help',
  ].join('\n'),
  run: get,
};
