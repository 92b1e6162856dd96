/**
 * Where one launcher keeps its things. Two roots, because they differ in kind:
 * - the run directory (`/run/kvt/<id>` as root, `$XDG_RUNTIME_DIR/kvt/<id>` otherwise) holds unix
 *   sockets and the private libvirtd; socket paths must stay under 108 bytes, so it is short;
 * - the state directory (`<dataDir>/vmis/<id>`) holds prepared volumes (overlays, ISOs, empty
 *   disks), which can be large and do not belong on a tmpfs.
 * Both are removed when the launcher ends. `<id>` is derived from the VMI's identity, never random,
 * so a crashed launcher's leftovers are found again by the next one for the same VMI.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

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

/** Identity of a VMI as far as its launcher is concerned. */
export interface VmiIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The identity of a VMI object (a namespace-less one is in `default`). */
export function vmiIdentity(vmi: { readonly metadata: { readonly namespace?: string; readonly name?: string; readonly uid?: string } }): VmiIdentity {
  return { namespace: vmi.metadata.namespace ?? 'default', name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' };
}

/** 10 hex digits of a hash of the VMI's namespace, name and uid. */
export function launcherId(vmi: VmiIdentity): string {
  return createHash('sha256').update(`${vmi.namespace}/${vmi.name}/${vmi.uid}`).digest('hex').slice(0, 10);
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
  const runDir = join(roots.runRoot, id);
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
    consoleSocket: join(runDir, 'console.sock'),
    protocolSocket: join(runDir, 'launcher.sock'),
    stateDir,
    nvramPath: join(stateDir, 'nvram', `${vmi.name.slice(0, 40)}_VARS.fd`),
  };
}
