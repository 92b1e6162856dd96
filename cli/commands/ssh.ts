/**
 * `kvt ssh [USER@]TYPE/NAME [-- CMD…]` and `kvt scp SRC DST` (as virtctl ssh and scp with its local
 * client): they run the system `ssh`/`scp` (argv, no shell of ours) with a ProxyCommand that is
 * `kvt port-forward --stdio TYPE/NAME.NS PORT`, so the connection reaches the VMI's SSH port the way
 * `kvt port-forward` does (with `--kubeconfig`/`--context` passed on: through the cluster's
 * portforward subresource). The host key is kept under the alias `vmi.NAME.NS`. Exits with ssh's code.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CLUSTER_OPTIONS, clusterConfig } from '../cluster-target.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { DAEMON_OPTIONS, DAEMON_OPTIONS_HELP } from '../daemon-client.js';
import { daemonValues, targetNamespace } from './port-forward.js';
import { parsePortPair, parseScpSide, parseSshDestination, scpArgv, sshArgv, type ForwardTarget, type SshOptions } from '../forward-args.js';

const SSH_OPTIONS = {
  ...DAEMON_OPTIONS, ...CLUSTER_OPTIONS,
  'identity-file': { type: 'string', short: 'i' },
  username: { type: 'string', short: 'l' },
  port: { type: 'string', short: 'p' },
  'known-hosts': { type: 'string' },
  'local-ssh-opts': { type: 'string', short: 'o', multiple: true },
} as const;

type SshValues = { readonly [K in keyof typeof SSH_OPTIONS]?: (typeof SSH_OPTIONS)[K] extends { multiple: true } ? string[] : string };

/** `--kubeconfig`/`--context` as the ProxyCommand's port-forward is given them. */
function clusterArgs(values: SshValues): string[] {
  if (values.kubeconfig === undefined && values.context !== undefined) throw new UsageError('--context needs --kubeconfig');
  return [...(values.kubeconfig === undefined ? [] : ['--kubeconfig', values.kubeconfig]), ...(values.context === undefined ? [] : ['--context', values.context])];
}

/**
 * `values` with `defaultNamespace` (the kubeconfig context's, through a cluster) as -n when
 * neither -n nor the target names a namespace.
 */
function withNamespace(values: SshValues, target: ForwardTarget, defaultNamespace: string | undefined): SshValues {
  return values.namespace !== undefined || target.namespace !== undefined || defaultNamespace === undefined ? values : { ...values, namespace: defaultNamespace };
}

/** The ssh options both commands share, from their flags and the target (pure). */
export function sshOptions(values: SshValues, target: ForwardTarget, user: string | undefined, kvt: readonly string[]): SshOptions {
  const login = user ?? values.username;
  const daemon = daemonValues(values);
  const cluster = clusterArgs(values);
  return {
    kvt, target: { ...target, namespace: targetNamespace(target, values.namespace) }, port: sshPort(values.port),
    ...(login === undefined ? {} : { user: login }),
    ...(values['identity-file'] === undefined ? {} : { identity: values['identity-file'] }),
    ...(values['known-hosts'] === undefined ? {} : { knownHosts: values['known-hosts'] }),
    options: values['local-ssh-opts'] ?? [],
    daemonArgs: [...Object.entries(daemon).flatMap(([flag, value]) => [`--${flag}`, value]), ...cluster],
  };
}

/** `--port`: one TCP port, 22 when absent. */
function sshPort(raw: string | undefined): number {
  if (raw === undefined) return 22;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--port must be a TCP port (1-65535), not ${JSON.stringify(raw)}`);
  return parsePortPair(raw).remote;
}

/** `kvt ssh`'s flags. */
const SSH_COMMAND_OPTIONS = { ...SSH_OPTIONS, command: { type: 'string', short: 'c' } } as const;

/** `kvt scp`'s flags. */
const SCP_COMMAND_OPTIONS = { ...SSH_OPTIONS, recursive: { type: 'boolean', short: 'r', default: false }, preserve: { type: 'boolean', default: false } } as const;

/** The argv of `kvt ssh` as ssh's (pure): `[USER@]TYPE/NAME`, then the command (after `--`, or `-c`). */
export function parseSshArgs(args: readonly string[], kvt: readonly string[], defaultNamespace?: string): string[] {
  const { values, positionals } = parseArgs({ args: [...args], options: SSH_COMMAND_OPTIONS, allowPositionals: true, strict: true });
  const [destination, ...command] = positionals;
  if (destination === undefined) throw new UsageError('name a VMI, e.g. `kvt ssh root@vmi/demo`');
  if (values.command !== undefined && command.length > 0) throw new UsageError('give the command with -c or after --, not both');
  const { user, target } = parseSshDestination(destination);
  return sshArgv(sshOptions(withNamespace(values, target, defaultNamespace), target, user, kvt), values.command === undefined ? command : [values.command]);
}

/** The argv of `kvt scp` as scp's (pure): exactly one side is in the VMI. */
export function parseScpArgs(args: readonly string[], kvt: readonly string[], defaultNamespace?: string): string[] {
  const { values, positionals } = parseArgs({ args: [...args], options: SCP_COMMAND_OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length !== 2) throw new UsageError('give a source and a destination, e.g. `kvt scp file root@vmi/demo:/tmp/`');
  const [from, to] = positionals.map(parseScpSide) as [ReturnType<typeof parseScpSide>, ReturnType<typeof parseScpSide>];
  const remotes = [from, to].filter((s) => !('local' in s));
  const [remote] = remotes;
  if (remote === undefined || 'local' in remote || remotes.length !== 1) throw new UsageError('exactly one of source and destination must be in a VMI: [USER@]vmi/NAME:PATH');
  return scpArgv({ ...sshOptions(withNamespace(values, remote.target, defaultNamespace), remote.target, remote.user, kvt), recursive: values.recursive, preserve: values.preserve }, from, to);
}

/**
 * The kubeconfig context's namespace when `args` go through a cluster and name no namespace (-n),
 * else undefined (the target's `.NS`, -n or default then decide).
 */
async function contextNamespace(args: readonly string[], options: typeof SSH_COMMAND_OPTIONS | typeof SCP_COMMAND_OPTIONS): Promise<string | undefined> {
  const { values } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  const { kubeconfig, context, namespace } = values;
  if (typeof kubeconfig !== 'string' || namespace !== undefined) return undefined;
  return (await clusterConfig({ kubeconfig, ...(typeof context === 'string' ? { context } : {}) })).namespace;
}

/** argv of this kvt (node and its script), for the ProxyCommand. */
function selfArgv(): string[] {
  return [process.execPath, process.argv[1] ?? 'kvt'];
}

function runTool(tool: string, argv: readonly string[], io: CommandIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(tool, argv, { stdio: 'inherit' });
    child.once('error', (e) => { io.err(`error: could not run ${tool}: ${e.message} (is openssh-client installed?)\n`); resolve(1); });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const COMMON_HELP = [
  '  -i, --identity-file F     the private key   [ssh\'s default]',
  '  -l, --username U          the user in the guest (or USER@ before the target)   [ssh\'s default: yours]',
  '  -p, --port N              the guest\'s SSH port   [22]',
  '      --known-hosts F       where host keys are kept (ssh\'s UserKnownHostsFile)   [ssh\'s default]',
  '  -o, --local-ssh-opts O    an option for ssh, as ssh -o O (repeatable)',
  ...DAEMON_OPTIONS_HELP,
  '  --kubeconfig FILE         reach the VMI through this cluster\'s portforward subresource (passed on to the ProxyCommand)',
  '  --context NAME            the kubeconfig context (with --kubeconfig)   [its current one]',
];

/** `kvt ssh`. */
export const sshCommand: Command = {
  name: 'ssh',
  summary: 'open an SSH session to a VMI, or run a command in it, through kvt port-forward (as virtctl ssh)',
  usage: [
    'kvt ssh [USER@]vmi/NAME[.NS]|vm/NAME[.NS] [-i KEY] [-l USER] [-p PORT] [-o OPT…] [-- CMD…]',
    '',
    'Runs the system ssh with ProxyCommand "kvt port-forward --stdio TARGET PORT": the session reaches',
    'the VMI\'s SSH port as kvt port-forward does (the local mode: its launcher pod\'s IP; with',
    '--kubeconfig: the cluster\'s portforward subresource). The host key is kept under the name',
    'vmi.NAME.NS. Exits with ssh\'s exit code.',
    '',
    'Options:',
    '  -c, --command CMD         the command to run (or give it after --)',
    ...COMMON_HELP,
  ].join('\n'),
  run: async (args, io) => runTool('ssh', parseSshArgs(args, selfArgv(), await contextNamespace(args, SSH_COMMAND_OPTIONS)), io),
};

/** `kvt scp`. */
export const scpCommand: Command = {
  name: 'scp',
  summary: 'copy files to or from a VMI through kvt port-forward (as virtctl scp)',
  usage: [
    'kvt scp [-r] [--preserve] [-i KEY] [-l USER] [-p PORT] SRC DST',
    '',
    'One of SRC and DST is [USER@]vmi/NAME[.NS]:PATH (or vm/…), the other a local path. Runs the',
    'system scp with the ProxyCommand kvt ssh uses. Exits with scp\'s exit code.',
    '',
    'Options:',
    '  -r, --recursive           copy directories',
    '      --preserve            keep modification times and modes (scp -p)',
    ...COMMON_HELP,
  ].join('\n'),
  run: async (args, io) => runTool('scp', parseScpArgs(args, selfArgv(), await contextNamespace(args, SCP_COMMAND_OPTIONS)), io),
};
