/**
 * The command lines of virtctl's network commands, parsed and built without IO: `kvt port-forward`'s
 * target (`vmi/NAME`, `vm/NAME`, with virtctl's `.NAMESPACE` suffix) and ports (`PORT`,
 * `LOCAL:REMOTE`, `:REMOTE` for a free local port, `/tcp`), `kvt ssh`'s and `kvt scp`'s
 * destinations (`[USER@]vmi/NAME[:PATH]`), and the argv of the system `ssh`/`scp` they run: a
 * ProxyCommand that is `kvt port-forward --stdio` to the VMI's port, as virtctl's local client does.
 */
import { UsageError } from './command.js';

/** What a network command reaches: a VMI, or the VMI of a VM (same name). */
export interface ForwardTarget {
  readonly kind: 'vmi' | 'vm';
  readonly name: string;
  /** From `NAME.NAMESPACE`; undefined: `-n` or the default. */
  readonly namespace?: string;
}

const KIND_WORDS: Readonly<Record<string, ForwardTarget['kind']>> = {
  vmi: 'vmi', vmis: 'vmi', virtualmachineinstance: 'vmi', virtualmachineinstances: 'vmi',
  vm: 'vm', vms: 'vm', virtualmachine: 'vm', virtualmachines: 'vm',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `TYPE/NAME[.NAMESPACE]`, as virtctl port-forward and ssh take it (the namespace after the first dot). */
export function parseForwardTarget(word: string): ForwardTarget {
  const slash = word.indexOf('/');
  const kind = slash === -1 ? undefined : KIND_WORDS[word.slice(0, slash).toLowerCase()];
  if (kind === undefined) throw new UsageError(`target must be vmi/NAME or vm/NAME (optionally NAME.NAMESPACE), not ${JSON.stringify(word)}`);
  const [name = '', ...rest] = word.slice(slash + 1).split('.');
  const namespace = rest.length === 0 ? undefined : rest.join('.');
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) throw new UsageError(`${JSON.stringify(name)} is not a valid ${kind === 'vm' ? 'VM' : 'VMI'} name`);
  if (namespace !== undefined) checkNamespace(namespace);
  return { kind, name, ...(namespace === undefined ? {} : { namespace }) };
}

function checkNamespace(namespace: string): void {
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw new UsageError(`${JSON.stringify(namespace)} is not a valid namespace`);
}

/** One forwarded port: listen on `local` (0: a free one), join to the VMI's `remote`. */
export interface PortPair {
  readonly local: number;
  readonly remote: number;
}

function portNumber(text: string, what: string, allowZero: boolean): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= (allowZero ? 0 : 1) && n <= 65535)) throw new UsageError(`${what} must be a TCP port (${allowZero ? 0 : 1}-65535), not ${JSON.stringify(text)}`);
  return n;
}

/** The spec without its `/tcp`; any other protocol is refused. */
function withoutProtocol(spec: string): string {
  const proto = /\/([a-zA-Z]+)$/.exec(spec);
  if (proto === null) return spec;
  const name = (proto[1] ?? '').toLowerCase();
  if (name === 'udp') throw new UsageError(`${spec}: only tcp ports are forwarded`);
  if (name !== 'tcp') throw new UsageError(`${spec}: unknown protocol ${JSON.stringify(proto[1])} (tcp)`);
  return spec.slice(0, proto.index);
}

/** `PORT`, `LOCAL:REMOTE` or `:REMOTE`, optionally ending in `/tcp`; udp is refused (not forwarded yet). */
export function parsePortPair(spec: string): PortPair {
  const parts = withoutProtocol(spec).split(':');
  if (parts.length === 1) {
    const port = portNumber(parts[0] ?? '', 'the port', false);
    return { local: port, remote: port };
  }
  if (parts.length !== 2) throw new UsageError(`a port is PORT or LOCAL:REMOTE, not ${JSON.stringify(spec)}`);
  const [local = '', remote = ''] = parts;
  return { local: local === '' ? 0 : portNumber(local, 'the local port', true), remote: portNumber(remote, 'the remote port', false) };
}

/** `[USER@]TYPE/NAME[.NAMESPACE]`, the destination of `kvt ssh`. */
export function parseSshDestination(word: string): { readonly user?: string; readonly target: ForwardTarget } {
  const at = word.lastIndexOf('@');
  const user = at === -1 ? undefined : word.slice(0, at);
  if (user !== undefined) checkUser(user);
  return { ...(user === undefined ? {} : { user }), target: parseForwardTarget(word.slice(at + 1)) };
}

function checkUser(user: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(user)) throw new UsageError(`${JSON.stringify(user)} is not a user name`);
}

/** One side of `kvt scp`: a local path, or `[USER@]TYPE/NAME[.NS]:PATH` in the VMI. */
export type ScpSide = { readonly local: string } | { readonly user?: string; readonly target: ForwardTarget; readonly path: string };

/** Reads one scp argument: remote when it starts with `[USER@]vmi/` or `vm/` and has a `:`. */
export function parseScpSide(word: string): ScpSide {
  const remote = /^(?:([^@/:]+)@)?((?:vmis?|vms?|virtualmachines?|virtualmachineinstances?)\/[^:]+):(.*)$/i.exec(word);
  if (remote === null) return { local: word };
  const [, user, target = '', path = ''] = remote;
  if (user !== undefined) checkUser(user);
  return { ...(user === undefined ? {} : { user }), target: parseForwardTarget(target), path };
}

/** How ssh is told to reach the VMI and whom to log in as. */
export interface SshOptions {
  /** argv of `kvt` itself (node and the script), the start of the ProxyCommand. */
  readonly kvt: readonly string[];
  /** The VMI's target with its namespace resolved. */
  readonly target: ForwardTarget & { readonly namespace: string };
  readonly port: number;
  readonly user?: string;
  readonly identity?: string;
  readonly knownHosts?: string;
  /** Each `-o` given, passed on. */
  readonly options: readonly string[];
  /** `--data-dir`/`--socket` passed on to the port-forward, as `['--socket', S]`. */
  readonly daemonArgs: readonly string[];
}

/** A word for a POSIX shell, single-quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The options common to ssh and scp: the ProxyCommand (ssh runs it through the shell, so every
 * word is quoted; the names in it were validated), the host key kept under the VMI's alias, the
 * identity, the user and the passed options.
 */
function commonSshArgs(o: SshOptions): string[] {
  const alias = `vmi.${o.target.name}.${o.target.namespace}`;
  const proxy = [...o.kvt, 'port-forward', '--stdio', ...o.daemonArgs, `${o.target.kind}/${o.target.name}.${o.target.namespace}`, String(o.port)].map(shellWord).join(' ');
  return [
    '-o', `ProxyCommand=${proxy}`,
    '-o', `HostKeyAlias=${alias}`,
    ...(o.knownHosts === undefined ? [] : ['-o', `UserKnownHostsFile=${o.knownHosts}`]),
    ...(o.identity === undefined ? [] : ['-i', o.identity]),
    ...o.options.flatMap((opt) => ['-o', opt]),
  ];
}

/** The host name ssh and scp are given: the alias (the ProxyCommand does the reaching). */
function hostOf(o: SshOptions): string {
  return `${o.user === undefined ? '' : `${o.user}@`}vmi.${o.target.name}.${o.target.namespace}`;
}

/** argv of `ssh` (without the program): options, destination, then the remote command, if any. */
export function sshArgv(o: SshOptions, command: readonly string[]): string[] {
  return [...commonSshArgs(o), '--', hostOf(o), ...command];
}

/** argv of `scp` (without the program): options, then the sides with the VMI's side as `alias:PATH`. */
export function scpArgv(o: SshOptions & { readonly recursive: boolean; readonly preserve: boolean }, from: ScpSide, to: ScpSide): string[] {
  const word = (side: ScpSide): string => ('local' in side ? (side.local.includes(':') && !side.local.startsWith('/') ? `./${side.local}` : side.local) : `${hostOf(o)}:${side.path}`);
  return [...commonSshArgs(o), ...(o.recursive ? ['-r'] : []), ...(o.preserve ? ['-p'] : []), '--', word(from), word(to)];
}
