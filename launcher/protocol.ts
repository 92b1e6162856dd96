/**
 * The node handler ↔ launcher protocol (types only, so reconcilers may import it): newline-delimited
 * JSON over the launcher's unix socket. The launcher sends events; the handler sends commands and
 * gets one `reply` per command. Every connection starts with a replay: `hello`, the latest `phase`
 * and `domain` events, then `synced`. Only after `synced` does a client know the launcher's current
 * state; the replay may arrive in several reads, so judging a VMI between `hello` and `synced` would
 * take a running guest for one whose domain vanished.
 */

/** Version of this protocol; `hello` carries it. 2: the replay ends with `synced`. */
export const LAUNCHER_PROTOCOL_VERSION = 2;

/**
 * A domain's lifecycle state, as the launcher reports it (KubeVirt's names). libvirt's BLOCKED and
 * PMSUSPENDED are reported as `Running` with the libvirt state as the reason; `Pending` is for a
 * domain not yet defined or started.
 */
export type DomainState = 'Running' | 'Paused' | 'Shutoff' | 'Shutdown' | 'Crashed' | 'Pending' | 'NoState';

/** A domain's state with KubeVirt's reason for it (`Shutoff` + `Destroyed`, `Paused` + `User`, …). */
export interface DomainStatus {
  readonly state: DomainState;
  readonly reason: string;
}

/** First event on every connection: who this launcher is and where its sockets are. */
export interface HelloEvent {
  readonly type: 'hello';
  readonly protocol: typeof LAUNCHER_PROTOCOL_VERSION;
  readonly vmi: { readonly namespace: string; readonly name: string; readonly uid: string };
  /** The libvirt domain name (`<namespace>_<name>`). */
  readonly domain: string;
  readonly pid: number;
  /** Our console socket: raw serial console bytes, both ways (`kvt console`). */
  readonly consoleSocket: string;
  /** QEMU's VNC socket, when the VMI has a graphics device. */
  readonly vncSocket?: string;
  /** Domain emulation type in use (`kvm`, or `qemu` under emulation). */
  readonly hypervisor: 'kvm' | 'qemu';
}

/** The domain's state changed (or, on connect, what it is now). */
export interface DomainEvent extends DomainStatus {
  readonly type: 'domain';
  /** ISO 8601 time the launcher observed it. */
  readonly time: string;
}

/** What the launcher is doing (`Pending`: started with --await-vmi, no vmi.json yet); `Failed` and `Stopped` are final. */
export type LauncherPhase = 'Pending' | 'Preparing' | 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Failed';

/** The launcher's own lifecycle (volume preparation, daemon, shutdown), with a reason on failure. */
export interface PhaseEvent {
  readonly type: 'phase';
  readonly phase: LauncherPhase;
  /** CamelCase reason (`LibvirtdDied`, `VolumePreparationFailed`, `GuestShutdown`, …). */
  readonly reason?: string;
  /** A sentence for humans. */
  readonly message?: string;
  readonly time: string;
}

/** Ends the replay on a new connection: the events before it are the launcher's current state. */
export interface SyncedEvent {
  readonly type: 'synced';
}

/** The answer to one command. */
export interface ReplyEvent {
  readonly type: 'reply';
  /** The `id` of the command answered. */
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** Everything a launcher sends. */
export type LauncherEvent = HelloEvent | DomainEvent | PhaseEvent | SyncedEvent | ReplyEvent;

/** What a handler may ask: an ACPI shutdown (then destroy after the grace period), or pause/resume. */
export interface LauncherCommand {
  readonly id: string;
  readonly command: 'shutdown' | 'destroy' | 'pause' | 'resume';
}
