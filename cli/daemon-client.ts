/**
 * How the user commands (`kvt apply`, `get`, `delete`, …) reach `kvt daemon`: its socket is
 * `<dataDir>/kvt.sock` (or `--socket`), and every command takes the same two options.
 */
import { join } from 'node:path';
import { defaultDataDir } from '../launcher/runtime/data-dir.js';
import { defaultRunRoot } from '../launcher/runtime/launcher-dirs.js';
import { daemonRunRoot } from '../local/runtime/control-plane.js';
import { connectApiSocket, type ApiSocketClient } from '../local/runtime/api-client.js';

/** The socket file of the daemon serving `dataDir`. */
export function daemonSocket(dataDir: string): string {
  return join(dataDir, 'kvt.sock');
}

/** The parseArgs options every daemon client command accepts. */
export const DAEMON_OPTIONS = {
  'data-dir': { type: 'string' },
  socket: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
} as const;

/** The socket named by `--socket`, else the one of `--data-dir` (or the default data dir). */
export function socketFrom(values: { readonly 'data-dir'?: string; readonly socket?: string }): string {
  return values.socket ?? daemonSocket(values['data-dir'] ?? defaultDataDir());
}

/** The launchers' run root of the daemon serving `--data-dir` (or `--run-root` when given). */
export function runRootFrom(values: { readonly 'data-dir'?: string; readonly 'run-root'?: string }): string {
  return values['run-root'] ?? daemonRunRoot(defaultRunRoot(process.getuid?.() ?? 0, process.env), values['data-dir'] ?? defaultDataDir());
}

/** Runs `work` with a connection to the daemon, closing it afterwards. */
export async function withDaemon<T>(values: { readonly 'data-dir'?: string; readonly socket?: string }, work: (kube: ApiSocketClient) => Promise<T>): Promise<T> {
  const kube = await connectApiSocket(socketFrom(values));
  try {
    return await work(kube);
  } finally {
    kube.close();
  }
}
