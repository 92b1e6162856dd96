/**
 * The node handler ↔ launcher protocol, the one owner of its facts: the files of a launcher's run
 * directory other parties open, the message types, and the parsers that check every line against
 * them. Pure, so reconcilers may import it. Newline-delimited JSON (core/ndjson.ts) over the
 * launcher's unix socket: the launcher sends events; the handler sends commands and gets one
 * `reply` per command. Every connection starts with a replay: `hello`, the latest `phase`,
 * `domain`, `network` and `agent` events, then `synced`. Only after `synced` does a client know the launcher's current
 * state; the replay may arrive in several reads, so judging a VMI between `hello` and `synced` would
 * take a running guest for one whose domain vanished.
 */
import { jsonObjectOf } from '../../core/ndjson.js';
import { Gvk } from '../../crd-gen/generated/kinds.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { AGENT_OS_INFO_FIELDS, MAX_AGENT_ADDRESSES, MAX_AGENT_INTERFACES, type AgentEvent, type AgentInterface, type AgentOsInfo } from './agent.js';

export * from './agent.js';

/** Version of this protocol; `hello` carries it. 2: the replay ends with `synced`. */
export const LAUNCHER_PROTOCOL_VERSION = 2;

/** The handover file virt-handler writes (atomically) into the run directory; the launcher waits for it. */
export const VMI_FILE = 'vmi.json';
/** This protocol's socket in the run directory. */
export const PROTOCOL_SOCKET = 'launcher.sock';
/** The guest's serial console (raw bytes both ways, history first) in the run directory. */
export const CONSOLE_SOCKET = 'console.sock';

/** The longest line either side accepts; a peer sending a longer one is cut off. */
export const MAX_LINE_LENGTH = 64 * 1024;

/** A domain's lifecycle states, as the launcher reports them (KubeVirt's names). */
export const DOMAIN_STATES = ['Running', 'Paused', 'Shutoff', 'Shutdown', 'Crashed', 'Pending', 'NoState'] as const;

/**
 * A domain's lifecycle state. libvirt's BLOCKED and PMSUSPENDED are reported as `Running` with the
 * libvirt state as the reason; `Pending` is for a domain not yet defined or started.
 */
export type DomainState = (typeof DOMAIN_STATES)[number];

/** A domain's state with KubeVirt's reason for it (`Shutoff` + `Destroyed`, `Paused` + `User`, …). */
export interface DomainStatus {
  readonly state: DomainState;
  readonly reason: string;
}

/** The domain emulation types a launcher may use. */
export const HYPERVISORS = ['kvm', 'qemu'] as const;

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
  readonly hypervisor: (typeof HYPERVISORS)[number];
}

/** The domain's state changed (or, on connect, what it is now). */
export interface DomainEvent extends DomainStatus {
  readonly type: 'domain';
  /** ISO 8601 time the launcher observed it. */
  readonly time: string;
}

/** What a launcher can be doing; `Failed` and `Stopped` are final. */
export const LAUNCHER_PHASES = ['Pending', 'Preparing', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed'] as const;

/** What the launcher is doing (`Pending`: started with --await-vmi, no vmi.json yet). */
export type LauncherPhase = (typeof LAUNCHER_PHASES)[number];

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

/** The most interfaces (and addresses per interface) a `network` event may carry. */
export const MAX_INTERFACES = 32;

/**
 * One guest NIC as the launcher knows it, in the shape of the VMI's `status.interfaces[]` entry
 * (KubeVirt's VirtualMachineInstanceNetworkInterface): the pod network's address it is reachable at,
 * its MAC, and where the facts come from (`domain`; `guest-agent` once an agent reports).
 */
export interface LauncherInterface {
  readonly name: string;
  readonly mac?: string;
  readonly ipAddress?: string;
  readonly ipAddresses?: readonly string[];
  readonly interfaceName?: string;
  readonly infoSource?: string;
  readonly podInterfaceName?: string;
  readonly queueCount?: number;
}

/** The guest's NICs once the launcher bound them (on a connection: the latest, in the replay). */
export interface NetworkEvent {
  readonly type: 'network';
  readonly interfaces: readonly LauncherInterface[];
  readonly time: string;
}

/** Ends the replay on a new connection: the events before it are the launcher's current state. */
export interface SyncedEvent {
  readonly type: 'synced';
}

/** The answer to one command. */
export interface ReplyEvent {
  readonly type: 'reply';
  /** The `id` of the command answered (empty when the refused line had none). */
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** Everything a launcher sends. */
export type LauncherEvent = HelloEvent | DomainEvent | PhaseEvent | NetworkEvent | AgentEvent | SyncedEvent | ReplyEvent;

/** What a handler may ask: an ACPI shutdown (then destroy after the grace period), or pause/resume. */
export const LAUNCHER_COMMANDS = ['shutdown', 'destroy', 'pause', 'resume'] as const;

/** One command, with the id its reply will carry. */
export interface LauncherCommand {
  readonly id: string;
  readonly command: (typeof LAUNCHER_COMMANDS)[number];
}

/** A checked line: the message, or why it was refused (with the `id` the line carried, so a reply can name it). */
export type Parsed<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: string; readonly id?: string };

type Fields = Readonly<Record<string, unknown>>;

const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 80);

/** Reads the fields of one message, remembering the first one that is wrong. */
class FieldReader {
  error: string | undefined;

  constructor(readonly fields: Fields, private readonly at = '') {}

  private wrong<T>(key: string, want: string, fallback: T): T {
    const value = this.fields[key];
    this.error ??= `"${this.at}${key}" must be ${want}${value === undefined ? ' (missing)' : `, not ${shown(value)}`}`;
    return fallback;
  }

  string(key: string, options: { readonly nonEmpty?: boolean } = {}): string {
    const value = this.fields[key];
    if (typeof value === 'string' && (options.nonEmpty !== true || value !== '')) return value;
    return this.wrong(key, options.nonEmpty === true ? 'a non-empty string' : 'a string', '');
  }

  /** An optional string: absent is fine, anything but a string is not. */
  optional(key: string): { readonly [k: string]: string } {
    const value = this.fields[key];
    if (value === undefined) return {};
    return typeof value === 'string' ? { [key]: value } : this.wrong(key, 'a string when present', {});
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.fields[key];
    const found = values.find((v) => v === value);
    return found ?? this.wrong(key, `one of ${values.join(', ')}`, values[0] as T);
  }

  boolean(key: string): boolean {
    const value = this.fields[key];
    return typeof value === 'boolean' ? value : this.wrong(key, 'true or false', false);
  }

  positiveInteger(key: string): number {
    const value = this.fields[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : this.wrong(key, 'a positive integer', 0);
  }

  /** An ISO 8601 time. */
  time(key: string): string {
    const value = this.fields[key];
    return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : this.wrong(key, 'an ISO 8601 time', '');
  }

  protocol(key: string): typeof LAUNCHER_PROTOCOL_VERSION {
    return this.fields[key] === LAUNCHER_PROTOCOL_VERSION ? LAUNCHER_PROTOCOL_VERSION : this.wrong(key, String(LAUNCHER_PROTOCOL_VERSION), LAUNCHER_PROTOCOL_VERSION);
  }

  /** An optional list of strings, at most `max`. */
  optionalStrings(key: string, max: number): { readonly [k: string]: string[] } {
    const value = this.fields[key];
    if (value === undefined) return {};
    const ok = Array.isArray(value) && value.length <= max && value.every((v) => typeof v === 'string');
    return ok ? { [key]: value as string[] } : this.wrong(key, `a list of at most ${max} strings when present`, {});
  }

  /** An optional positive integer. */
  optionalPositive(key: string): { readonly [k: string]: number } {
    const value = this.fields[key];
    if (value === undefined) return {};
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? { [key]: value } : this.wrong(key, 'a positive integer when present', {});
  }

  /** A list of at most `max` objects, each read by its own reader (the first error wins). */
  objects<T>(key: string, max: number, read: (r: FieldReader) => T): T[] {
    const value = this.fields[key];
    if (!Array.isArray(value) || value.length > max) return this.wrong(key, `a list of at most ${max} objects`, []);
    return value.map((item, i) => {
      const isObject = typeof item === 'object' && item !== null && !Array.isArray(item);
      const nested = new FieldReader(isObject ? (item as Fields) : {}, `${this.at}${key}[${i}].`);
      if (!isObject) this.wrong(key, `a list of at most ${max} objects`, undefined);
      const result = read(nested);
      this.error ??= nested.error;
      return result;
    });
  }

  /** A nested object, read by its own reader (its errors become this one's). */
  object<T>(key: string, read: (r: FieldReader) => T): T {
    const value = this.fields[key];
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isObject) this.wrong(key, 'an object', undefined);
    const nested = new FieldReader(isObject ? (value as Fields) : {}, `${this.at}${key}.`);
    const result = read(nested);
    this.error ??= nested.error;
    return result;
  }
}

function readHello(r: FieldReader): HelloEvent {
  return {
    type: 'hello',
    protocol: r.protocol('protocol'),
    vmi: r.object('vmi', (v) => ({ namespace: v.string('namespace', { nonEmpty: true }), name: v.string('name', { nonEmpty: true }), uid: v.string('uid') })),
    domain: r.string('domain', { nonEmpty: true }),
    pid: r.positiveInteger('pid'),
    consoleSocket: r.string('consoleSocket', { nonEmpty: true }),
    ...r.optional('vncSocket'),
    hypervisor: r.oneOf('hypervisor', HYPERVISORS),
  };
}

function readPhase(r: FieldReader): PhaseEvent {
  return { type: 'phase', phase: r.oneOf('phase', LAUNCHER_PHASES), ...r.optional('reason'), ...r.optional('message'), time: r.time('time') };
}

function readReply(r: FieldReader): ReplyEvent {
  return { type: 'reply', id: r.string('id'), ok: r.boolean('ok'), ...r.optional('error') };
}

function readInterface(r: FieldReader): LauncherInterface {
  return {
    name: r.string('name', { nonEmpty: true }),
    ...r.optional('mac'), ...r.optional('ipAddress'), ...r.optionalStrings('ipAddresses', MAX_INTERFACES),
    ...r.optional('interfaceName'), ...r.optional('infoSource'), ...r.optional('podInterfaceName'), ...r.optionalPositive('queueCount'),
  };
}

function readAgentInterface(r: FieldReader): AgentInterface {
  const addresses = r.optionalStrings('ipAddresses', MAX_AGENT_ADDRESSES)['ipAddresses'] ?? [];
  return { interfaceName: r.string('interfaceName', { nonEmpty: true }), ...r.optional('mac'), ipAddresses: addresses };
}

function readOsInfo(r: FieldReader): AgentOsInfo {
  return Object.assign({}, ...AGENT_OS_INFO_FIELDS.map((key) => r.optional(key))) as AgentOsInfo;
}

function readAgent(r: FieldReader): AgentEvent {
  return {
    type: 'agent',
    connected: r.boolean('connected'),
    ...r.optional('version'),
    interfaces: r.objects('interfaces', MAX_AGENT_INTERFACES, readAgentInterface),
    ...(r.fields['osInfo'] === undefined ? {} : { osInfo: r.object('osInfo', readOsInfo) }),
    ...r.optional('hostname'), ...r.optional('timezone'),
    time: r.time('time'),
  };
}

const EVENT_READERS: Readonly<Record<LauncherEvent['type'], (r: FieldReader) => LauncherEvent>> = {
  hello: readHello,
  domain: (r) => ({ type: 'domain', state: r.oneOf('state', DOMAIN_STATES), reason: r.string('reason'), time: r.time('time') }),
  phase: readPhase,
  network: (r) => ({ type: 'network', interfaces: r.objects('interfaces', MAX_INTERFACES, readInterface), time: r.time('time') }),
  agent: readAgent,
  synced: () => ({ type: 'synced' }),
  reply: readReply,
};

const EVENT_TYPES = Object.keys(EVENT_READERS) as LauncherEvent['type'][];

/** The string `id` a refused line carried, for the reply that names it. */
function idOf(fields: Fields): { readonly id?: string } {
  return typeof fields['id'] === 'string' ? { id: fields['id'] } : {};
}

/** Checks one line as a message: a JSON object whose fields `read` accepts (unknown fields are ignored). */
function parseWith<T>(line: string, what: string, read: (r: FieldReader) => T): Parsed<T> {
  const fields = jsonObjectOf(line);
  if (fields === undefined) return { ok: false, error: `${what}: not a JSON object` };
  const reader = new FieldReader(fields);
  const message = read(reader);
  return reader.error === undefined ? { ok: true, message } : { ok: false, error: `${what}: ${reader.error}`, ...idOf(fields) };
}

/**
 * One line from a launcher, checked field by field against its event type; refused when it is not
 * JSON, names no known `type`, or any field is missing or of the wrong kind.
 */
export function parseLauncherEvent(line: string): Parsed<LauncherEvent> {
  return parseWith(line, 'launcher event', (r) => EVENT_READERS[r.oneOf('type', EVENT_TYPES)](r));
}

/** One line from a handler, checked as a command: a non-empty `id` and a known `command`. */
export function parseLauncherCommand(line: string): Parsed<LauncherCommand> {
  return parseWith(line, 'launcher command', (r) => ({ id: r.string('id', { nonEmpty: true }), command: r.oneOf('command', LAUNCHER_COMMANDS) }));
}

/**
 * The VMI virt-handler handed over in `vmi.json`: the API server's admitted object (defaults
 * applied, KubeVirt's rules passed), so the launcher does not admit it again, as KubeVirt's launcher
 * does not. Checked for what the launcher relies on before converting it: the kind, the identity
 * (namespace, name, uid) and a spec with a domain.
 */
export function parseHandedOverVmi(text: string): Parsed<VirtualMachineInstance> {
  const fields = jsonObjectOf(text);
  if (fields === undefined) return { ok: false, error: `${VMI_FILE}: not a JSON object` };
  const r = new FieldReader(fields);
  r.oneOf('apiVersion', [Gvk.VirtualMachineInstance.apiVersion]);
  r.oneOf('kind', [Gvk.VirtualMachineInstance.kind]);
  r.object('metadata', (m) => [m.string('namespace', { nonEmpty: true }), m.string('name', { nonEmpty: true }), m.string('uid', { nonEmpty: true })]);
  r.object('spec', (spec) => spec.object('domain', () => undefined));
  return r.error === undefined ? { ok: true, message: fields as unknown as VirtualMachineInstance } : { ok: false, error: `${VMI_FILE}: ${r.error}` };
}
