/** `kvt explain KIND[.field.path]`: a kind's or field's documentation from our CRDs' schemas, as `kubectl explain` prints it. */
import { parseArgs } from 'node:util';
import { loadSchema } from '../../crd-gen/crds.js';
import { KINDS, resolveKindName } from '../../crd-gen/index.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { explain } from '../explain.js';

async function explainRun(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { recursive: { type: 'boolean', default: false }, 'api-version': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [what, ...more] = positionals;
  if (what === undefined || more.length > 0) throw new UsageError('name one resource or field, e.g. `kvt explain vm` or `kvt explain vm.spec.runStrategy`');
  const [word = '', ...path] = what.split('.');
  const kind = resolveKindName(word);
  if (kind === undefined) {
    io.err(`error: the server doesn't have a resource type "${word}"\n`);
    return 1;
  }
  const info = KINDS[kind];
  const asked = values['api-version'];
  if (asked !== undefined && asked !== info.apiVersion) {
    io.err(`error: couldn't find resource for "${asked}, Kind=${info.kind}"\n`);
    return 1;
  }
  const result = explain(loadSchema(kind), { group: info.group, version: info.apiVersion.slice(info.apiVersion.indexOf('/') + 1), kind: info.kind, path }, { recursive: values.recursive });
  if ('error' in result) {
    io.err(`error: ${result.error}\n`);
    return 1;
  }
  io.out(result.text);
  return 0;
}

/** `kvt explain`. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'document a kind or one of its fields from the CRD schemas (kubectl explain)',
  usage: [
    'kvt explain KIND[.FIELD.PATH] [--recursive] [--api-version V]',
    '',
    'Options:',
    '  --recursive                     list the whole tree of fields under it (names and types)',
    '  --api-version V                 the GROUP/VERSION of the kind (each of ours serves one: kubevirt.io/v1, instancetype.kubevirt.io/v1beta1, …)',
    '  -h, --help                      show this help',
  ].join('\n'),
  run: explainRun,
};
