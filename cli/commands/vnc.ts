/**
 * `kvt vnc VMI`: the VMI's VNC display on a local TCP port, as virtctl vnc. The launcher's QEMU
 * serves VNC on a unix socket in the launcher's run directory (`<run>/q/virt-vnc`, beside the
 * console socket `kvt console` reaches the same way); this command listens on 127.0.0.1 (`--port`,
 * else a free port) and joins each TCP connection to that socket. It prints the port and starts a
 * VNC viewer when one is installed (remote-viewer, vncviewer, …), unless `--proxy-only`, which
 * prints virtctl's `{"port":N}` and serves until Ctrl-C. Against the daemon only: a cluster's VNC
 * stream is not served by our virt-api.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { delimiter } from 'node:path';
import { parseArgs } from 'node:util';
import { findProgram, type ExecutableProbe } from '../../core/program-path.js';
import { defaultRunRoot, launcherDirs, vmiIdentity } from '../../launcher/runtime/launcher-dirs.js';
import { defaultDataDir } from '../../launcher/runtime/data-dir.js';
import { DAEMON_OPTIONS } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { runningVmi } from '../vmi-target.js';

/** The viewers tried, in virtctl's order of preference, with how each is given the address. */
const VIEWERS: readonly (readonly [string, (port: number) => string[]])[] = [
  ['remote-viewer', (port) => [`vnc://127.0.0.1:${port}`]],
  ['vncviewer', (port) => [`127.0.0.1::${port}`]],
  ['xtigervncviewer', (port) => [`127.0.0.1::${port}`]],
  ['xtightvncviewer', (port) => [`127.0.0.1::${port}`]],
];

/** The first installed viewer on `pathEnv` and its arguments for `port`, or undefined (pure but for `isExecutable`). */
export async function findViewer(pathEnv: string, port: number, isExecutable: ExecutableProbe): Promise<{ command: string; args: string[] } | undefined> {
  const dirs = pathEnv.split(delimiter);
  for (const [name, args] of VIEWERS) {
    const command = await findProgram(name, dirs, isExecutable);
    if (command !== undefined) return { command, args: args(port) };
  }
  return undefined;
}

const executable: ExecutableProbe = (file) => access(file, constants.X_OK).then(() => true, () => false);

/** `--port`: a TCP port, 0 (or absent) for a free one. */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a TCP port (0-65535), not ${JSON.stringify(raw)}`);
  return port;
}

/** A listening proxy: its port, and how to stop it (open connections are ended too). */
export interface VncProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` and joins every connection to the unix socket `vncSocket`. */
export async function serveVncProxy(vncSocket: string, port: number): Promise<VncProxy> {
  const open = new Set<{ destroy(): void }>();
  const server: Server = createServer((client) => {
    const vnc = createConnection(vncSocket);
    open.add(client).add(vnc);
    const end = (): void => { client.destroy(); vnc.destroy(); open.delete(client); open.delete(vnc); };
    client.on('error', end).on('close', end);
    vnc.on('error', end).on('close', end);
    client.pipe(vnc);
    vnc.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Says where the display is, starts a viewer when asked and installed, and resolves when the viewer exits or on Ctrl-C. */
async function untilDone(name: string, port: number, proxyOnly: boolean, io: CommandIo): Promise<void> {
  const viewer = proxyOnly ? undefined : await findViewer(process.env['PATH'] ?? '', port, executable);
  if (proxyOnly) io.out(`${JSON.stringify({ port })}\n`);
  else io.err(`The VNC display of ${name} is on 127.0.0.1:${port}${viewer === undefined ? ' (no VNC viewer is installed: connect one to it; Ctrl-C ends)' : `; starting ${viewer.command}`}\n`);
  return new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop).once('SIGTERM', stop);
    if (viewer !== undefined) spawn(viewer.command, viewer.args, { stdio: 'ignore' }).on('exit', stop).on('error', stop);
  });
}

async function vnc(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...DAEMON_OPTIONS, 'run-root': { type: 'string' }, port: { type: 'string' }, 'proxy-only': { type: 'boolean', default: false } },
    allowPositionals: true, strict: true,
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError('name one VMI, e.g. `kvt vnc demo`');
  const port = parsePort(values.port);
  const runRoot = values['run-root'] ?? defaultRunRoot(process.getuid?.() ?? 0, process.env);
  const vmi = await runningVmi({ name, namespace: values.namespace ?? 'default', runRoot, values }, io);
  if (vmi === undefined) return 1;
  if (vmi.spec.domain.devices.autoattachGraphicsDevice === false) {
    io.err(`Error: VMI ${name} has no graphics device (spec.domain.devices.autoattachGraphicsDevice is false)\n`);
    return 1;
  }
  const socket = launcherDirs(vmiIdentity(vmi), { runRoot, dataDir: values['data-dir'] ?? defaultDataDir() }).vncSocket;
  const proxy = await serveVncProxy(socket, port);
  await untilDone(name, proxy.port, values['proxy-only'], io);
  await proxy.close();
  return 0;
}

/** `kvt vnc VMI`. */
export const vncCommand: Command = {
  name: 'vnc',
  summary: 'open a running VMI\'s VNC display on a local port, with a viewer when installed (as virtctl vnc)',
  usage: [
    'kvt vnc VMI [--port N] [--proxy-only] [-n NS] [--run-root DIR] [--data-dir D | --socket S]',
    '',
    'Joins 127.0.0.1:PORT to the VNC socket of the VMI\'s launcher and prints the port; starts',
    'remote-viewer (or vncviewer, xtigervncviewer, xtightvncviewer) when one is installed.',
    'With --proxy-only it prints {"port":N} (as virtctl) and serves until Ctrl-C.',
    '',
    'Options:',
    '      --port N          the local port (default: a free one)',
    '      --proxy-only      only serve the port, start no viewer',
    '  -n, --namespace NS    the namespace (default: default)',
    '      --run-root DIR    where the launchers\' run directories are (default /run/kvt as root)',
    '      --data-dir D      the daemon of this data directory',
    '      --socket S        the daemon listening on this socket',
  ].join('\n'),
  run: vnc,
};
