import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { DeleteOptions, KubeApi, ResourceType } from '../../core/kube.js';
import { typeOf } from '../../core/kube.js';
import { describeApiError, resourceKind } from '../../local/apply.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { parseObjectArgs } from '../object-args.js';
import { isGone, parseDuration, pollUntil } from '../poll.js';
import { resolveResource, unknownResource } from '../resources.js';
import { manifestObjects } from './apply.js';

/** One object to delete. */
interface Doomed {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string;
  /** kubectl's name of its resource in a NotFound line (`virtualmachines.kubevirt.io`). */
  readonly display: string;
}

/**
 * `--NAME=false`/`--NAME=true` as kubectl takes a boolean flag (parseArgs takes only `--NAME`): the
 * arguments without those forms, and the value the last of them gave (undefined when none did).
 */
export function takeBooleanValue(args: readonly string[], name: string): { rest: string[]; value: boolean | undefined } {
  let value: boolean | undefined;
  const rest: string[] = [];
  for (const arg of args) {
    if (arg === `--${name}=true`) value = true;
    else if (arg === `--${name}=false`) value = false;
    else rest.push(arg);
  }
  return { rest, value };
}

const POLICIES = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' } as const;

async function fromFiles(files: readonly string[], recursive: boolean, namespace: string, io: CommandIo): Promise<{ doomed: Doomed[]; failed: boolean }> {
  const { objects, errors } = await manifestObjects(files, { recursive, namespace, duplicates: 'ignore' });
  for (const e of errors) io.err(`${e}\n`);
  const doomed = objects.map(({ object }) => {
    const resource = resolveResource(object.kind);
    return { type: typeOf(object), namespace: resource?.namespaced === false ? undefined : object.metadata.namespace, name: object.metadata.name ?? '', display: resource?.display ?? object.kind.toLowerCase() };
  });
  return { doomed, failed: errors.length > 0 };
}

async function everyOf(kube: KubeApi, word: string, namespace: string): Promise<Doomed[]> {
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word).replace(/^error: /, ''));
  const ns = resource.namespaced ? namespace : undefined;
  const list = await kube.list(resource.type, ns === undefined ? {} : { namespace: ns });
  return list.items.map((o) => ({ type: resource.type, namespace: ns, name: o.metadata.name ?? '', display: resource.display }));
}

interface Plan {
  readonly files: readonly string[];
  readonly recursive: boolean;
  readonly all: boolean;
  readonly positionals: readonly string[];
}

async function targets(kube: KubeApi, plan: Plan, namespace: string, io: CommandIo): Promise<{ doomed: Doomed[]; failed: boolean }> {
  if (plan.files.length > 0) return fromFiles(plan.files, plan.recursive, namespace, io);
  if (plan.all) return { doomed: await everyOf(kube, plan.positionals[0] ?? '', namespace), failed: false };
  const doomed = parseObjectArgs(plan.positionals).map(({ resource, name }) => ({ type: resource.type, namespace: resource.namespaced ? namespace : undefined, name, display: resource.display }));
  return { doomed, failed: false };
}

function checkPlan(plan: Plan): void {
  const named = plan.files.length > 0 ? 1 : 0;
  if (named === 1 && plan.positionals.length > 0) throw new UsageError('name objects either with -f or as KIND NAME, not both');
  if (plan.all && (named === 1 || plan.positionals.length !== 1)) throw new UsageError('--all takes one resource type, e.g. `kvt delete vm --all`');
  if (named === 0 && plan.positionals.length === 0) throw new UsageError('name what to delete: KIND NAME..., KIND/NAME..., KIND --all, or -f FILE|DIR');
}

async function deleteOne(kube: KubeApi, d: Doomed, options: DeleteOptions & { readonly ignoreNotFound: boolean }, io: CommandIo): Promise<'deleted' | 'absent' | 'failed'> {
  try {
    await kube.delete(d.type, d.namespace, d.name, options);
    io.out(`${resourceKind(d.type)} "${d.name}" deleted\n`);
    return 'deleted';
  } catch (e) {
    if (isNotFound(e) && options.ignoreNotFound) return 'absent';
    io.err(isNotFound(e) ? `Error from server (NotFound): ${d.display} "${d.name}" not found\n` : `${describeApiError(e, 'deleting', d.name)}\n`);
    return 'failed';
  }
}

async function del(args: readonly string[], io: CommandIo): Promise<number> {
  const waitFlag = takeBooleanValue(args, 'wait');
  const { values, positionals } = parseArgs({
    args: waitFlag.rest,
    options: {
      ...TARGET_OPTIONS,
      cascade: { type: 'string', default: 'background' },
      filename: { type: 'string', short: 'f', multiple: true },
      recursive: { type: 'boolean', short: 'R', default: false },
      all: { type: 'boolean', default: false },
      'ignore-not-found': { type: 'boolean', default: false },
      'grace-period': { type: 'string', default: '-1' },
      timeout: { type: 'string', default: '0s' },
      wait: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const plan: Plan = { files: values.filename ?? [], recursive: values.recursive, all: values.all, positionals };
  checkPlan(plan);
  const policy = POLICIES[values.cascade as keyof typeof POLICIES] as (typeof POLICIES)[keyof typeof POLICIES] | undefined;
  if (policy === undefined) throw new UsageError('--cascade must be background, foreground or orphan');
  const grace = Number(values['grace-period']);
  if (!Number.isInteger(grace) || grace < -1) throw new UsageError(`--grace-period must be a whole number of seconds (-1: the object's own), not ${JSON.stringify(values['grace-period'])}`);
  const timeoutMs = parseDuration(values.timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout must be a duration like 30s or 5m, not ${JSON.stringify(values.timeout)}`);
  // kubectl: --all ignores objects already gone.
  const ignoreNotFound = values['ignore-not-found'] || values.all;
  return withKube(values, async (kube, namespace) => {
    const { doomed, failed: unreadable } = await targets(kube, plan, namespace, io);
    if (doomed.length === 0 && !ignoreNotFound) io.err('No resources found\n');
    const options = { propagationPolicy: policy, ignoreNotFound, ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) };
    const outcomes = await Promise.all(doomed.map((d) => deleteOne(kube, d, options, io)));
    let failed = unreadable || outcomes.includes('failed');
    if (values.wait ?? waitFlag.value ?? true) {
      const waiting = doomed.filter((_, i) => outcomes[i] === 'deleted');
      const gone = await pollUntil(async () => (await Promise.all(waiting.map((d) => isGone(kube, d.type, d.namespace, d.name)))).every(Boolean), { timeoutMs });
      if (!gone) {
        io.err(`error: timed out waiting for the condition on ${waiting.map((d) => `${d.display}/${d.name}`).join(', ')}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  });
}

/** `kvt delete`: deletes objects (children follow by garbage collection) and waits until they are gone. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete objects (a VM takes its VMI with it) and wait until they are gone',
  usage: [
    'kvt delete (KIND NAME... | KIND/NAME... | KIND --all | -f FILE|DIR) [-n NS] [--ignore-not-found] [--wait=true|false] [--timeout D] [--grace-period S] [--cascade background|foreground|orphan]',
    '',
    'Options:',
    '  -f, --filename FILE|DIR         delete the objects a manifest file, a directory of them, or - (stdin) names (repeatable)',
    '  -R, --recursive                 read directories recursively',
    '  --all                           delete every object of the resource type in the namespace',
    '  --ignore-not-found              an object already gone is not an error (the default with --all)',
    '  --wait[=true|false]             wait until the objects are gone (default true)',
    '  --timeout D                     how long --wait waits (30s, 5m; default 0s: no limit)',
    '  --grace-period S                seconds a pod gets to stop (-1, the default: the pod\'s own; 0: at once)',
    '  --cascade background|foreground|orphan   how dependents go (default background)',
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n'),
  run: del,
};
