/**
 * `kvt pod-exec SPEC`: a node agent pod's container process. The node agent starts it inside the
 * pod's network namespace and a private mount namespace (`ip netns exec … unshare --mount
 * --propagation private …`); here the pod's volumes are bind-mounted where the container expects
 * them, then `kvt` runs with the container's arguments and environment. Signals are passed on; the
 * exit status is the container's. Not for users: the node agent's internals.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { parseArgs, promisify } from 'node:util';
import type { ExecSpec } from '../../local/node-agent/runtime/pod-files.js';
import { KVT_ENTRY } from '../../local/kubelet/runtime/spawn.js';
import { UsageError, type Command } from '../command.js';

const run = promisify(execFile);

/**
 * Bind-mounts every volume. Each source is opened first and mounted through its descriptor, so a
 * mount over a parent (an emptyDir on /tmp above a data dir under /tmp) cannot hide a later source.
 */
async function bindMounts(spec: ExecSpec): Promise<void> {
  const mounts = spec.mounts.filter((m) => m.source !== m.target);
  const handles = await Promise.all(mounts.map((m) => open(m.source, 'r')));
  try {
    for (const [i, m] of mounts.entries()) {
      await mkdir(m.target, { recursive: true });
      await run('mount', ['--bind', `/proc/${process.pid}/fd/${handles[i]?.fd ?? -1}`, m.target]);
      if (m.readOnly) await run('mount', ['-o', 'remount,bind,ro', m.target]);
    }
  } finally {
    for (const h of handles) await h.close();
  }
}

function parseSpec(text: string): ExecSpec {
  const spec = JSON.parse(text) as Partial<ExecSpec>;
  if (!Array.isArray(spec.argv) || typeof spec.env !== 'object' || spec.env === null || !Array.isArray(spec.mounts)) throw new UsageError('the run spec needs argv, env and mounts');
  return spec as ExecSpec;
}

/** `kvt pod-exec`. */
export const podExecCommand: Command = {
  name: 'pod-exec',
  summary: 'Run a node agent pod\'s container (internal)',
  usage: 'kvt pod-exec SPEC.json   (started by kvt node-agent inside the pod\'s namespaces)',
  run: async (args) => {
    const [file, ...extra] = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true }).positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('name the run spec file');
    const spec = parseSpec(await readFile(file, 'utf8'));
    await bindMounts(spec);
    const child = spawn(process.execPath, [KVT_ENTRY, ...spec.argv], { stdio: 'inherit', env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...(process.env['KVT_DATA_DIR'] === undefined ? {} : { KVT_DATA_DIR: process.env['KVT_DATA_DIR'] }), ...spec.env } });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
    return new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal === 'SIGKILL' ? 137 : 143))));
  },
};
