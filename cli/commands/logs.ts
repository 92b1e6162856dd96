/**
 * `kvt logs`: the log of a launcher pod of the local control plane, or of the launcher pod running a
 * VMI (`vmi/NAME`, `vm/NAME`), read from where the local kubelet writes it
 * (`<dataDir>/logs/<namespace>_<pod>.log`). `-f` follows it until the pod is gone (or Ctrl-C).
 */
import { open, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isNotFound } from '../../core/errors.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { Gvk, Labels } from '../../crd-gen/index.js';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { launcherLogFile } from '../../local/kubelet/runtime/spawn.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { lastLines } from '../log-tail.js';
import { parseObjectArgs } from '../object-args.js';
import { isGone } from '../poll.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

/** The launcher pod of a VMI: the newest pod created by its uid. */
async function launcherPodOf(kube: KubeApi, namespace: string, vmiName: string): Promise<string> {
  const vmi = await kube.get<KubeObject>(Gvk.VirtualMachineInstance, namespace, vmiName);
  const pods = await kube.list<KubeObject>(POD, { namespace, labelSelector: `${Labels.createdBy}=${vmi.metadata.uid ?? ''}` });
  const newest = [...pods.items].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))[0];
  if (newest?.metadata.name === undefined) throw new UsageError(`virtualmachineinstance ${JSON.stringify(vmiName)} has no launcher pod`);
  return newest.metadata.name;
}

/** The pod a `kvt logs` argument names. */
async function podNamed(kube: KubeApi, word: string, namespace: string): Promise<string> {
  const [ref] = parseObjectArgs(word.includes('/') ? [word] : ['pod', word]);
  if (ref === undefined) throw new UsageError('name a pod, vmi/NAME or vm/NAME');
  const kind = ref.resource.type.kind;
  if (kind === 'Pod') return ref.name;
  if (kind === 'VirtualMachineInstance' || kind === 'VirtualMachine') return launcherPodOf(kube, namespace, ref.name);
  throw new UsageError(`kvt logs reads pods, VMIs and VMs, not ${ref.resource.display}`);
}

async function follow(file: string, from: number, stillThere: () => Promise<boolean>, io: CommandIo): Promise<void> {
  let offset = from;
  for (;;) {
    const size = (await stat(file).catch(() => ({ size: offset }))).size;
    if (size > offset) {
      const handle = await open(file, 'r');
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - offset), 0, size - offset, offset);
        io.out(buffer.subarray(0, bytesRead).toString('utf8'));
        offset += bytesRead;
      } finally {
        await handle.close();
      }
    } else if (!(await stillThere())) {
      return;
    }
    await sleep(250);
  }
}

async function logs(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...DAEMON_OPTIONS, follow: { type: 'boolean', short: 'f', default: false }, tail: { type: 'string', default: '-1' } },
    allowPositionals: true,
    strict: true,
  });
  const [word, ...more] = positionals;
  if (word === undefined || more.length > 0) throw new UsageError('name one pod, vmi/NAME or vm/NAME');
  const tail = Number(values.tail);
  if (!Number.isInteger(tail) || tail < -1) throw new UsageError(`--tail must be a whole number of lines (-1: all), not ${JSON.stringify(values.tail)}`);
  const namespace = values.namespace ?? 'default';
  const dataDir = values['data-dir'] ?? defaultDataDir();
  return withDaemon(values, async (kube) => {
    let pod: string;
    try {
      pod = await podNamed(kube, word, namespace);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      io.err(`Error from server (NotFound): ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const file = launcherLogFile(dataDir, namespace, pod);
    const text = await readFile(file, 'utf8').catch((e: unknown) => ((e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (text === undefined && !values.follow) {
      io.err(`error: pod ${JSON.stringify(pod)} has no log yet (${file})\n`);
      return 1;
    }
    io.out(lastLines(text ?? '', tail));
    if (values.follow) await follow(file, Buffer.byteLength(text ?? ''), async () => !(await isGone(kube, POD, namespace, pod)), io);
    return 0;
  });
}

/** `kvt logs`. */
export const logsCommand: Command = {
  name: 'logs',
  summary: 'print the launcher log of a pod or of the pod running a VMI (local control plane)',
  usage: [
    'kvt logs (POD | pod/POD | vmi/NAME | vm/NAME) [-f] [--tail N] [-n NS] [--data-dir D | --socket S]',
    '',
    'Options:',
    '  -f, --follow                    keep printing what the launcher writes until its pod is gone (Ctrl-C to stop)',
    '  --tail N                        only the last N lines (default -1: all)',
    '  -n, --namespace NS              the namespace (default: default)',
    '  --data-dir DIR                  the kvt daemon\'s data directory, where the logs are (DIR/logs)',
    '  --socket PATH                   the kvt daemon\'s socket (the logs are still read from --data-dir)',
    '  -h, --help                      show this help',
  ].join('\n'),
  run: logs,
};
