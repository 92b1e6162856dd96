/**
 * How the user commands (`kvt apply`, `get`, `delete`, …) reach `kvt daemon`: its socket is
 * `<dataDir>/kvt.sock` (or `--socket`), and every command takes the same two options.
 */
import { join } from 'node:path';
import { defaultDataDir } from '../launcher/runtime/data-dir.js';
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

/**
 * The "Options:" lines of DAEMON_OPTIONS, for the usage of every command that spreads them (each
 * command's usage lists every flag it accepts; a test holds them to the parser).
 */
export const DAEMON_OPTIONS_HELP: readonly string[] = [
  '  -n, --namespace NS   the namespace   [default]',
  '  --data-dir D         the data dir of the kvt daemon to talk to   [$KVT_DATA_DIR, /var/lib/kvt as root, ~/.local/share/kvt]',
  '  --socket S           the daemon\'s socket, instead of the data dir\'s   [<data dir>/kvt.sock]',
];

/** The socket named by `--socket`, else the one of `--data-dir` (or the default data dir). */
export function socketFrom(values: { readonly 'data-dir'?: string; readonly socket?: string }): string {
  return values.socket ?? daemonSocket(values['data-dir'] ?? defaultDataDir());
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
