import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { toYamlDocuments } from '../../core/yaml.js';
import { lookupsFromObjects } from '../../webhooks/admission-lookups.js';
import type { AdmissionContext } from '../../webhooks/context.js';
import { checkObject } from '../check.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { asList, displayName, type ManifestObject } from '../../core/manifests.js';
import { readSources } from '../manifest-sources.js';

interface ValidateOptions {
  readonly paths: readonly string[];
  readonly recursive: boolean;
  readonly output: 'yaml' | 'json' | undefined;
  /** A directory of presets, instancetypes and preferences admission may consult. */
  readonly presets: string | undefined;
}

function parseOptions(args: readonly string[]): ValidateOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { output: { type: 'string', short: 'o' }, recursive: { type: 'boolean', short: 'R', default: false }, presets: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('name at least one FILE or DIR (or - for stdin)');
  const output = values.output;
  if (output !== undefined && output !== 'yaml' && output !== 'json') throw new UsageError(`--output must be yaml or json, not ${JSON.stringify(output)}`);
  if (values.presets === '') throw new UsageError('--presets needs a directory');
  return { paths: positionals, recursive: values.recursive, output, presets: values.presets };
}

/**
 * The admission context of a `kvt validate` run: KubeVirt's default cluster settings, lookups over
 * every object read (the named files and --presets), the run's time, and fresh random v4 UUIDs
 * for what KubeVirt draws at random (firmware UUIDs, VM serials), as a cluster's webhook would.
 */
export function cliAdmissionContext(objects: readonly unknown[]): AdmissionContext {
  return { cfg: DEFAULT_CLUSTER_CONFIG, lookups: lookupsFromObjects(objects), ids: { uuid: randomUUID }, now: new Date() };
}

/** Admits every object; prints problems on `problemOut`, warnings and notes on stderr. */
function checkAll(objects: readonly ManifestObject[], ctx: AdmissionContext, io: CommandIo, problemOut: (t: string) => void): { checked: Record<string, unknown>[]; invalid: number } {
  const checked: Record<string, unknown>[] = [];
  let invalid = 0;
  for (const item of objects) {
    const verdict = checkObject(item, ctx);
    if (verdict.scope === 'foreign') {
      io.err(`note: ${item.source}: ${displayName(item.object)} (${String(item.object['apiVersion'])}) is not a kubevirt-ts kind; skipped\n`);
      continue;
    }
    for (const w of verdict.warnings) io.err(`Warning: ${w}\n`);
    for (const p of verdict.problems) problemOut(`${p}\n`);
    if (verdict.problems.length > 0) invalid += 1;
    checked.push(verdict.admitted);
  }
  return { checked, invalid };
}

function formatObjects(objects: readonly Record<string, unknown>[], output: 'yaml' | 'json'): string {
  if (output === 'yaml') return toYamlDocuments(objects);
  return `${JSON.stringify(objects.length === 1 ? objects[0] : asList(objects), null, 2)}\n`;
}

function summary(checked: number, invalid: number): string {
  return `${checked} object${checked === 1 ? '' : 's'} checked: ${checked - invalid} valid, ${invalid} invalid`;
}

/** `kvt validate`: checks manifests against our API, one line per problem. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests against the kubevirt.io API: one line per problem',
  usage: [
    'kvt validate [--presets DIR] [-o yaml|json] [-R] FILE|DIR|- ...',
    '',
    'Reads multi-document YAML or JSON and admits every object of our API groups as a CREATE, through',
    'the whole admission chain the webhooks run: schema, presets and defaults, KubeVirt\'s rules.',
    'Presets, instancetypes and preferences in the named files (and in --presets DIR) are applied.',
    'Problems print as `Kind/name: field.path: message`; warnings (unknown fields, deprecations) go to stderr.',
    'Objects of other API groups are passed over with a note on stderr.',
    'With -o, the admitted objects are printed on stdout (refused ones as given) and problems go to stderr.',
    'Firmware UUIDs and serials the webhooks would draw are fresh random UUIDs on every run.',
    'Exit status: 0 all valid, 1 any object invalid or the command line is wrong, 2 unreadable or unparseable input.',
    '',
    'Options:',
    '      --presets DIR        presets, instancetypes and preferences admission may use',
    '  -o, --output yaml|json   print the admitted objects',
    '  -R, --recursive          descend into subdirectories',
  ].join('\n'),
  async run(args, io) {
    const options = parseOptions(args);
    const { objects, errors } = await readSources(options.paths, options.recursive);
    const extra = options.presets === undefined ? { objects: [], errors: [] } : await readSources([options.presets], true);
    errors.push(...extra.errors);
    for (const e of errors) io.err(`error: ${e.source}: ${e.message}\n`);
    const ctx = cliAdmissionContext([...objects, ...extra.objects].map((o) => o.object));
    const { checked, invalid } = checkAll(objects, ctx, io, options.output === undefined ? io.out : io.err);
    if (options.output !== undefined) io.out(formatObjects(checked, options.output));
    io.err(`${summary(checked.length, invalid)}${errors.length > 0 ? `; ${errors.length} unreadable source(s)` : ''}\n`);
    if (errors.length > 0) return 2;
    return invalid > 0 ? 1 : 0;
  },
};
