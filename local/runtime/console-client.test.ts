import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachConsole, followConsole } from './console-client.js';

let dir: string;
let server: Server;
let guest: Socket | undefined;
const fromTerminal: Buffer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-console-'));
  fromTerminal.length = 0;
  guest = undefined;
  server = createServer((s) => {
    guest = s;
    s.on('data', (b: Buffer) => fromTerminal.push(b));
  });
  await new Promise<void>((ok) => server.listen(join(dir, 'console.sock'), ok));
});

afterEach(async () => {
  guest?.destroy();
  await new Promise((ok) => server.close(ok));
  await rm(dir, { recursive: true, force: true });
});

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((ok) => setTimeout(ok, 5));
};

describe('console clients over a real unix socket', () => {
  it('followConsole gets what the guest writes and sees the console close', async () => {
    const got: string[] = [];
    const follower = await followConsole(join(dir, 'console.sock'), (b) => got.push(b.toString()));
    await until(() => guest !== undefined);
    guest!.write('hello\n');
    await until(() => got.join('') === 'hello\n');
    guest!.end();
    await follower.closed;
    expect(got.join('')).toBe('hello\n');
  });

  it('attachConsole sends keystrokes up to Ctrl-] and shows the guest output', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const output = new PassThrough();
    const shown: Buffer[] = [];
    output.on('data', (b: Buffer) => shown.push(b));
    const session = attachConsole(join(dir, 'console.sock'), { input, output });
    await until(() => guest !== undefined);
    guest!.write('login: ');
    await until(() => Buffer.concat(shown).toString() === 'login: ');
    (input as unknown as PassThrough).write(Buffer.from('root\r'));
    await until(() => Buffer.concat(fromTerminal).toString() === 'root\r');
    (input as unknown as PassThrough).write(Buffer.from([0x71, 0x1d, 0x72]));
    expect(await session).toBe('escaped');
    await until(() => Buffer.concat(fromTerminal).toString() === 'root\rq');
    expect(Buffer.concat(fromTerminal).toString()).toBe('root\rq');
    expect(Buffer.concat(shown).toString()).toBe('login: ');
  });

  it('a missing console says the launcher is not running', async () => {
    await expect(followConsole(join(dir, 'nope.sock'), () => undefined)).rejects.toThrow(/launcher is not running/);
  });
});
