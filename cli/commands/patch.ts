/**
 * `kvt patch`: a JSON (RFC 6902), merge (RFC 7386) or strategic merge patch of one object, as
 * `kubectl patch` sends it. Strategic is kubectl's default type, and kube-apiserver refuses it on
 * custom resources (415: our kinds need --type merge or json); built-in kinds take it.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { KubeObject, PatchType } from '../../core/kube.js';
import { parseKubeYamlDocuments } from '../../core/yaml.js';
import { lookupKind } from '../../crd-gen/index.js';
import { KubevirtError } from '../../core/errors.js';
import { resourceKind } from '../../local/apply.js';
import { patched } from '../../store/memory-patch.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { parseObjectArgs } from '../object-args.js';
import { dryRunSuffix, parseDryRun, parseValidate, writeOptions, WRITE_FLAG_OPTIONS, WRITE_FLAG_USAGE } from '../write-flags.js';

const TYPES: Readonly<Record<string, PatchType>> = { json: 'json', merge: 'merge', strategic: 'strategic' };

/** The patch body of `-p` or `--patch-file` text: JSON or YAML, as kubectl reads it. */
export function parsePatchBody(text: string): unknown {
  const [doc, ...more] = parseKubeYamlDocuments(text);
  if (doc === undefined || more.length > 0) throw new UsageError('the patch must be one JSON or YAML document');
  const err = doc.errors[0];
  if (err !== undefined) throw new UsageError(`unable to parse the patch: ${err.message.split('\n')[0] ?? ''}`);
  return doc.toJS() as unknown;
}

async function patch(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...TARGET_OPTIONS, ...WRITE_FLAG_OPTIONS, patch: { type: 'string', short: 'p' }, 'patch-file': { type: 'string' }, type: { type: 'string', default: 'strategic' } },
    allowPositionals: true,
    strict: true,
  });
  const refs = parseObjectArgs(positionals);
  const [ref, ...others] = refs;
  if (ref === undefined || others.length > 0) throw new UsageError('patch one object: KIND NAME or KIND/NAME');
  const type = TYPES[values.type];
  if (type === undefined) throw new UsageError(`--type must be json, merge or strategic, not ${JSON.stringify(values.type)}`);
  if ((values.patch === undefined) === (values['patch-file'] === undefined)) throw new UsageError('give the patch with one of -p PATCH or --patch-file FILE');
  const body = parsePatchBody(values.patch ?? (await readFile(values['patch-file'] ?? '', 'utf8')));
  const validation = parseValidate(values.validate);
  const dryRun = parseDryRun(values['dry-run']);
  const { resource, name } = ref;
  return withKube(values, async (kube, namespace) => {
    const ns = resource.namespaced ? namespace : undefined;
    const line = `${resourceKind(resource.type)}/${name}`;
    // An API refusal goes to kvt's dispatch, which prints it as kubectl does (Error from server (Reason): …).
    const before = await kube.get<KubeObject>(resource.type, ns, name);
    if (dryRun === 'client') {
      if (type === 'strategic' && lookupKind(resource.type.apiVersion, resource.type.kind) !== undefined) {
        throw new KubevirtError(`strategic merge patch is not supported for ${resource.type.apiVersion}, Kind=${resource.type.kind} locally, try --type merge`);
      }
      patched(before, body, type);
      io.out(`${line} patched${dryRunSuffix(dryRun)}\n`);
      return 0;
    }
    const after = await kube.patch<KubeObject>(resource.type, { name, ...(ns === undefined ? {} : { namespace: ns }) }, { type, body }, writeOptions(validation, dryRun));
    const unchanged = dryRun === 'none' && after.metadata.resourceVersion === before.metadata.resourceVersion;
    io.out(`${line} patched${unchanged ? ' (no change)' : ''}${dryRunSuffix(dryRun)}\n`);
    return 0;
  });
}

/** `kvt patch`. */
export const patchCommand: Command = {
  name: 'patch',
  summary: 'change fields of an object with a JSON, merge or strategic merge patch',
  usage: [
    'kvt patch (KIND NAME | KIND/NAME) (-p PATCH | --patch-file FILE) [--type strategic|merge|json] [--validate strict|warn|ignore] [--dry-run none|client|server] [-n NS] [--data-dir D | --socket S | --kubeconfig F]',
    '',
    'Options:',
    '  -p, --patch PATCH               the patch, JSON or YAML',
    '  --patch-file FILE               read the patch from FILE',
    '  --type strategic|merge|json     how the patch is applied (default strategic, as kubectl; our kinds take merge or json only, as custom resources do)',
    ...WRITE_FLAG_USAGE,
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n'),
  run: patch,
};
