/**
 * Where one launcher keeps its things. Two roots, because they differ in kind:
 * - the run directory (`/run/kvt/<id>` as root, `$XDG_RUNTIME_DIR/kvt/<id>` otherwise) holds unix
 *   sockets and the private libvirtd; socket paths must stay under 108 bytes, so it is short;
 * - the state directory (`<dataDir>/vmis/<id>`) holds prepared volumes (overlays, ISOs, empty
 *   disks), which can be large and do not belong on a tmpfs.
 * Both are removed when the launcher ends. `<id>` is launcher/identity.ts's launcherId.
 */
import { join } from 'node:path';
import { launcherId, runDirFor, type VmiIdentity } from '../identity.js';
import { CONSOLE_SOCKET, PROTOCOL_SOCKET } from '../protocol/index.js';

export { launcherId, vmiIdentity, type VmiIdentity } from '../identity.js';

/** The directories and sockets of one launcher. */
export interface LauncherDirs {
  readonly id: string;
  readonly runDir: string;
  /** The private libvirtd's base directory. */
  readonly daemonDir: string;
  /** Owned by the QEMU user: QEMU creates its serial and VNC sockets here. */
  readonly qemuDir: string;
  readonly serialSocket: string;
  readonly serialLog: string;
  readonly vncSocket: string;
  /** Our console fan-out (`kvt console`). */
  readonly consoleSocket: string;
  /** The handler ↔ launcher protocol socket. */
  readonly protocolSocket: string;
  readonly stateDir: string;
  /** Per-VMI UEFI variable store, written by QEMU. */
  readonly nvramPath: string;
}

/** The run root for this process: `/run/kvt` for root, else under `$XDG_RUNTIME_DIR` or /tmp. */
export function defaultRunRoot(uid: number, env: Readonly<Record<string, string | undefined>>): string {
  if (uid === 0) return '/run/kvt';
  const xdg = env['XDG_RUNTIME_DIR'];
  return xdg !== undefined && xdg !== '' ? join(xdg, 'kvt') : `/tmp/kvt-${uid}`;
}

/** Every path of one launcher, from its roots. */
export function launcherDirs(vmi: VmiIdentity, roots: { readonly runRoot: string; readonly dataDir: string }): LauncherDirs {
  const id = launcherId(vmi);
  const runDir = runDirFor(roots.runRoot, vmi);
  const qemuDir = join(runDir, 'q');
  const stateDir = join(roots.dataDir, 'vmis', id);
  return {
    id,
    runDir,
    daemonDir: join(runDir, 'd'),
    qemuDir,
    serialSocket: join(qemuDir, 'virt-serial0'),
    serialLog: join(qemuDir, 'virt-serial0-log'),
    vncSocket: join(qemuDir, 'virt-vnc'),
    consoleSocket: join(runDir, CONSOLE_SOCKET),
    protocolSocket: join(runDir, PROTOCOL_SOCKET),
    stateDir,
    nvramPath: join(stateDir, 'nvram', `${vmi.name.slice(0, 40)}_VARS.fd`),
  };
}
