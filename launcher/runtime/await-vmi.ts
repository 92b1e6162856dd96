/**
 * The `--await-vmi` start of a launcher: the launcher pod starts before its VMI is handed over, so
 * the launcher serves its protocol socket at once (phase `Pending`) and waits for virt-handler to
 * write `<runDir>/vmi.json` (temp + rename). Watched with fs.watch plus a poll, since a watch can
 * miss a rename on some filesystems.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONSOLE_SOCKET, LAUNCHER_PROTOCOL_VERSION, PROTOCOL_SOCKET, VMI_FILE } from '../protocol/index.js';
import type { VmiIdentity } from '../identity.js';
import { startProtocolServer, type ProtocolServer } from '../protocol/runtime/server.js';

/** How waiting for the handover ended. */
export type AwaitOutcome = { readonly kind: 'arrived'; readonly path: string; readonly text: string } | { readonly kind: 'stopped' };

/** Options of {@link awaitVmiFile}. */
export interface AwaitOptions {
  /** Resolves when the launcher should give up waiting (SIGTERM, or a shutdown command). */
  readonly stopRequested: Promise<void>;
  /** @default 500 */
  readonly pollMs?: number;
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Waits until `<runDir>/vmi.json` exists (and is not empty) or a stop is requested. */
export async function awaitVmiFile(runDir: string, options: AwaitOptions): Promise<AwaitOutcome> {
  const path = join(runDir, VMI_FILE);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<AwaitOutcome>((done) => {
      let checking = false;
      const check = (): void => {
        if (checking) return;
        checking = true;
        void readIfThere(path).then((text) => {
          checking = false;
          if (text !== undefined && text.trim() !== '') done({ kind: 'arrived', path, text });
        });
      };
      void options.stopRequested.then(() => done({ kind: 'stopped' }));
      try {
        watcher = watch(runDir, () => check());
        watcher.on('error', () => undefined);
      } catch {
        // The poll below still finds it.
      }
      timer = setInterval(check, options.pollMs ?? 500);
      check();
    });
  } finally {
    watcher?.close();
    if (timer !== undefined) clearInterval(timer);
  }
}

/** The protocol server of a launcher still waiting for its VMI; a shutdown or destroy ends the wait. */
export interface PendingLauncher {
  readonly server: ProtocolServer;
  /** Resolves on a shutdown or destroy command. */
  readonly stopCommanded: Promise<void>;
}

/** Creates the run dir and serves the protocol socket in phase `Pending` (hello names the VMI). */
export async function servePending(runDir: string, identity: VmiIdentity): Promise<PendingLauncher> {
  await mkdir(runDir, { recursive: true, mode: 0o711 });
  let stop = (): void => undefined;
  const stopCommanded = new Promise<void>((done) => { stop = done; });
  const server = await startProtocolServer(join(runDir, PROTOCOL_SOCKET), {
    type: 'hello', protocol: LAUNCHER_PROTOCOL_VERSION, vmi: identity, domain: `${identity.namespace}_${identity.name}`,
    pid: process.pid, consoleSocket: join(runDir, CONSOLE_SOCKET), hypervisor: 'qemu',
  }, (command) => {
    if (command === 'shutdown' || command === 'destroy') {
      stop();
      return Promise.resolve();
    }
    return Promise.reject(new Error(`${command}: the launcher is still waiting for its VMI (${VMI_FILE})`));
  });
  server.publish({ type: 'phase', phase: 'Pending', reason: 'AwaitingVmi', message: `Waiting for ${join(runDir, VMI_FILE)}`, time: new Date().toISOString() });
  return { server, stopCommanded };
}
