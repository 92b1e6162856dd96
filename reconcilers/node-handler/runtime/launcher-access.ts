/**
 * The node handler's IO towards the launchers on its node: each launcher's run directory holds its
 * protocol socket (`launcher.sock`) and, once handed over, the VMI it runs (`vmi.json`, written
 * atomically: a 0600 temp file renamed into place, so a launcher never reads half a VMI).
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { PROTOCOL_SOCKET, VMI_FILE } from '../../../launcher/protocol/index.js';
import type { LauncherAccess } from '../reconciler.js';
import { connectLauncher, type ConnectionOptions } from './launcher-connection.js';


/** Options of {@link fileLauncherAccess}. */
export interface FileLauncherAccessOptions {
  /** The run directory of a VMI's launcher (launcher/identity.ts's runDirFor). */
  readonly runDirOf: (vmi: Readonly<VirtualMachineInstance>) => string;
  /** Connection tuning (backoff, timeouts). */
  readonly connection?: Omit<ConnectionOptions, 'onChange'>;
}

/** Writes `vmi` to `<runDir>/vmi.json` atomically with mode 0600. */
export async function writeVmiFile(runDir: string, vmi: Readonly<VirtualMachineInstance>): Promise<void> {
  const target = join(runDir, VMI_FILE);
  const temp = join(runDir, `.${VMI_FILE}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(vmi)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** The uid of the VMI in `<runDir>/vmi.json`, or undefined when there is none (or it is unreadable). */
export async function handedOverUid(runDir: string): Promise<string | undefined> {
  try {
    const vmi = JSON.parse(await readFile(join(runDir, VMI_FILE), 'utf8')) as { metadata?: { uid?: unknown } };
    return typeof vmi.metadata?.uid === 'string' ? vmi.metadata.uid : undefined;
  } catch {
    return undefined;
  }
}

/** The protocol sockets under a run root (`<runRoot>/<id>/launcher.sock`), for re-adoption and cleanup. */
export async function launcherSockets(runRoot: string): Promise<string[]> {
  const entries = await readdir(runRoot, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const names = await readdir(join(runRoot, e.name)).catch(() => [] as string[]);
    if (names.includes(PROTOCOL_SOCKET)) found.push(join(runRoot, e.name, PROTOCOL_SOCKET));
  }
  return found;
}

/** Launcher access over run directories on this host. */
export function fileLauncherAccess(options: FileLauncherAccessOptions): LauncherAccess {
  return {
    connect: (vmi, onChange) => connectLauncher(join(options.runDirOf(vmi), PROTOCOL_SOCKET), { ...options.connection, onChange }),
    handedOver: async (vmi) => (await handedOverUid(options.runDirOf(vmi))) === vmi.metadata.uid,
    handOver: (vmi) => writeVmiFile(options.runDirOf(vmi), vmi),
  };
}
