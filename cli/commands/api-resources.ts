/** `kvt api-resources`: the resource types kvt and its daemon serve, as `kubectl api-resources` lists them. */
import { parseArgs } from 'node:util';
import { KINDS } from '../../crd-gen/index.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { CORE } from '../resources.js';

/** One row: kubectl's columns. */
export interface ApiResourceRow {
  readonly name: string;
  readonly shortNames: readonly string[];
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** Every resource type: the core kinds first, then ours by group, each group by name (kubectl's order). */
export function apiResources(): ApiResourceRow[] {
  const core = CORE.map((c) => ({ name: c.names[1] ?? c.kind.toLowerCase(), shortNames: c.names.slice(2), apiVersion: 'v1', namespaced: c.namespaced, kind: c.kind }));
  const ours = Object.values(KINDS).map((k) => ({ name: k.plural, shortNames: [...k.shortNames], apiVersion: k.apiVersion, namespaced: k.namespaced, kind: k.kind }));
  const order = (a: ApiResourceRow, b: ApiResourceRow): number => {
    const [ga, gb] = [groupOf(a.apiVersion), groupOf(b.apiVersion)];
    if (ga !== gb) return ga < gb ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
  return [...core, ...ours].sort(order);
}

/** The rows as kubectl prints them: a table (with or without headers) or `-o name`'s `resource.group` lines. */
export function renderApiResources(rows: readonly ApiResourceRow[], options: { readonly output: 'table' | 'name'; readonly headers: boolean }): string {
  if (options.output === 'name') return rows.map((r) => `${r.name}${groupOf(r.apiVersion) === '' ? '' : `.${groupOf(r.apiVersion)}`}\n`).join('');
  const cells = rows.map((r) => [r.name, r.shortNames.join(','), r.apiVersion, String(r.namespaced), r.kind]);
  const all = options.headers ? [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], ...cells] : cells;
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  return all.map((c) => `${c.map((v, i) => (i < 4 ? v.padEnd((widths[i] ?? 0) + 3) : v)).join('').trimEnd()}\n`).join('');
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { namespaced: { type: 'string' }, 'api-group': { type: 'string' }, output: { type: 'string', short: 'o' }, 'no-headers': { type: 'boolean', default: false } },
    allowPositionals: false,
    strict: true,
  });
  if (values.output !== undefined && values.output !== 'name') throw new UsageError(`--output must be name (or left out for the table), not ${JSON.stringify(values.output)}`);
  if (values.namespaced !== undefined && values.namespaced !== 'true' && values.namespaced !== 'false') throw new UsageError('--namespaced must be true or false');
  const rows = apiResources().filter((r) =>
    (values.namespaced === undefined || String(r.namespaced) === values.namespaced) && (values['api-group'] === undefined || groupOf(r.apiVersion) === values['api-group']));
  io.out(renderApiResources(rows, { output: values.output === 'name' ? 'name' : 'table', headers: !values['no-headers'] }));
  return Promise.resolve(0);
}

/** `kvt api-resources`. */
export const apiResourcesCommand: Command = {
  name: 'api-resources',
  summary: 'list the resource types served (our kinds and the core kinds), as kubectl api-resources',
  usage: [
    'kvt api-resources [--namespaced true|false] [--api-group G] [-o name] [--no-headers]',
    '',
    'Options:',
    '  --namespaced true|false         only namespaced (true) or cluster-scoped (false) types',
    '  --api-group G                   only the types of this API group ("" for the core group)',
    '  -o, --output name               print resource.group names only',
    '  --no-headers                    leave out the header row',
    '  -h, --help                      show this help',
  ].join('\n'),
  run,
};
