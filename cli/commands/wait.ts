/**
 * `kvt wait`: waits until objects meet a condition, a JSONPath value, or are deleted, as `kubectl
 * wait` does: `<resource>/<name> condition met` for each, or `error: timed out waiting for the
 * condition on <resources>/<name>` and exit 1 after --timeout (default 30s).
 */
import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { KubeApi } from '../../core/kube.js';
import { resourceKind } from '../../local/apply.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';
import { parseObjectArgs, type ObjectRef } from '../object-args.js';
import { parseDuration, pollUntil } from '../poll.js';
import { meets, parseWaitFor, type WaitFor } from '../wait-for.js';

/** Whether the object meets the wait now; a missing object meets only a delete wait. */
async function metNow(kube: KubeApi, ref: ObjectRef, namespace: string | undefined, wait: WaitFor): Promise<boolean> {
  try {
    return meets(await kube.get(ref.resource.type, namespace, ref.name), wait);
  } catch (e) {
    if (isNotFound(e) && wait.kind === 'delete') return true;
    throw e;
  }
}

interface WaitRun {
  readonly kube: KubeApi;
  readonly namespace: string;
  readonly wait: WaitFor;
  readonly timeoutMs: number;
}

async function waitOne(run: WaitRun, ref: ObjectRef, io: CommandIo): Promise<boolean> {
  const ns = ref.resource.namespaced ? run.namespace : undefined;
  // A zero timeout checks once, as kubectl's does.
  const met = await pollUntil(() => metNow(run.kube, ref, ns, run.wait), { timeoutMs: Math.max(run.timeoutMs, 1) });
  if (met) io.out(`${resourceKind(ref.resource.type)}/${ref.name} condition met\n`);
  else io.err(`error: timed out waiting for the condition on ${ref.resource.display.split('.')[0] ?? ''}/${ref.name}\n`);
  return met;
}

async function waitCommandRun(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...TARGET_OPTIONS, for: { type: 'string' }, timeout: { type: 'string', default: '30s' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.for === undefined) throw new UsageError('--for is required: --for=condition=Ready, --for=jsonpath=\'{.status.phase}\'=Running or --for=delete');
  const wait = parseWaitFor(values.for);
  const refs = parseObjectArgs(positionals);
  const timeoutMs = parseDuration(values.timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout must be a duration like 30s or 5m, not ${JSON.stringify(values.timeout)}`);
  return withKube(values, async (kube, namespace) => {
    const results = await Promise.all(refs.map((ref) => waitOne({ kube, namespace, wait, timeoutMs }, ref, io)));
    return results.every(Boolean) ? 0 : 1;
  });
}

/** `kvt wait`. */
export const waitCommand: Command = {
  name: 'wait',
  summary: 'wait until objects meet a condition, show a field value, or are deleted',
  usage: [
    'kvt wait (KIND NAME... | KIND/NAME...) --for=condition=NAME[=VALUE] | --for=jsonpath=\'{.path}\'[=VALUE] | --for=delete [--timeout 30s] [-n NS] [--data-dir D | --socket S | --kubeconfig F]',
    '',
    'Options:',
    '  --for WHAT                      condition=Ready (=true by default; =false to wait for False), jsonpath=\'{.status.phase}\'=Running (no value: the field exists), or delete',
    '  --timeout D                     how long to wait (30s, 5m, 1h; default 30s; 0s: check once); then exit 1',
    ...TARGET_USAGE,
    '  -h, --help                      show this help',
  ].join('\n'),
  run: waitCommandRun,
};
