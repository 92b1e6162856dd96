/**
 * Clients of a launcher's console socket (`<run>/console.sock`, raw serial bytes both ways):
 * `followConsole` reads it (kvt run's prefixed view), `attachConsole` makes the terminal the guest's
 * serial console until Ctrl-] (kvt console).
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { splitAtEscape } from '../console-escape.js';

function open(path: string): Promise<Socket> {
  return new Promise((connected, failed) => {
    const socket = connect(path, () => connected(socket));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      failed(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new Error(`no console at ${path}: the VMI's launcher is not running`, { cause: e }) : e);
    });
  });
}

/** A console being read. */
export interface ConsoleFollower {
  /** Resolves when the console closed (the guest's launcher ended) or `stop` was called. */
  readonly closed: Promise<void>;
  stop(): void;
}

/** Calls `onData` with every chunk the guest writes. */
export async function followConsole(path: string, onData: (chunk: Buffer) => void): Promise<ConsoleFollower> {
  const socket = await open(path);
  socket.on('data', onData);
  const closed = new Promise<void>((done) => {
    socket.on('close', () => done());
    socket.on('error', () => socket.destroy());
  });
  return { closed, stop: () => socket.destroy() };
}

/** Terminal streams of an interactive session. */
export interface Terminal {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WritableStream;
}

/**
 * Connects the terminal to the console until Ctrl-] or the console closes; which of the two happened.
 * The console is a launcher's socket (its path) or an open byte stream (one relayed through a cluster).
 */
export async function attachConsole(console: string | Duplex, terminal: Terminal): Promise<'escaped' | 'closed'> {
  const socket = typeof console === 'string' ? await open(console) : console;
  const raw = terminal.input.isTTY === true;
  if (raw) terminal.input.setRawMode(true);
  socket.pipe(terminal.output, { end: false });
  return new Promise((finished) => {
    let ended = false;
    const end = (how: 'escaped' | 'closed'): void => {
      if (ended) return;
      ended = true;
      terminal.input.off('data', onInput);
      terminal.input.pause();
      if (raw) terminal.input.setRawMode(false);
      socket.unpipe(terminal.output);
      // end, not destroy: what was typed just before the escape still reaches the guest.
      socket.end();
      finished(how);
    };
    const onInput = (chunk: Buffer): void => {
      const { send, escaped } = splitAtEscape(chunk);
      if (send.length > 0) socket.write(send);
      if (escaped) end('escaped');
    };
    terminal.input.on('data', onInput);
    terminal.input.resume();
    socket.on('close', () => end('closed'));
    socket.on('error', () => socket.destroy());
  });
}
