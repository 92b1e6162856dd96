// The console fan-out against a real unix-socket server standing in for QEMU's chardev (one client
// at a time, as QEMU's is): history for late clients, output to every client, input to the guest.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsoleProxy } from './console.js';

let dir = '';
let qemu: Server | undefined;
afterEach(async () => {
  await new Promise<void>((d) => (qemu ? qemu.close(() => d()) : d()));
  await rm(dir, { recursive: true, force: true });
});

const read = (s: Socket): { text: () => string } => {
  let text = '';
  s.on('data', (b: Buffer) => { text += b.toString(); });
  return { text: () => text };
};
const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((d) => setTimeout(d, 10));
};

describe('console proxy', () => {
  it('shares one serial connection among clients and listeners', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-console-'));
    const serialPath = join(dir, 'serial');
    let guest: Socket | undefined;
    let guestInput = '';
    qemu = createServer((s) => {
      guest = s;
      s.on('data', (b: Buffer) => { guestInput += b.toString(); });
      s.on('error', () => undefined);
    });
    qemu.maxConnections = 1;
    await new Promise<void>((d) => qemu?.listen(serialPath, () => d()));

    const proxy = await startConsoleProxy({ serialSocket: serialPath, listenPath: join(dir, 'console.sock'), historyBytes: 16 });
    const seen: string[] = [];
    proxy.onOutput((b) => seen.push(b.toString()));
    await until(() => guest !== undefined);
    guest?.write('boot line 1\n');
    await until(() => seen.join('').includes('line 1'));

    const first = connect(proxy.listenPath);
    const firstOut = read(first);
    await until(() => firstOut.text().length > 0);
    expect(firstOut.text()).toBe('boot line 1\n'.slice(-16));
    guest?.write('<>&"\' ]]> token-42\n');
    await until(() => firstOut.text().includes('token-42'));
    const second = connect(proxy.listenPath);
    const secondOut = read(second);
    await until(() => secondOut.text().includes('token-42'));
    expect(proxy.history().length).toBeLessThanOrEqual(16);
    expect(seen.join('')).toBe('boot line 1\n<>&"\' ]]> token-42\n');

    first.write('ls\n');
    await until(() => guestInput.includes('ls'));
    expect(guestInput).toBe('ls\n');

    guest?.end();
    await proxy.ended;
    await until(() => first.readableEnded || first.destroyed);
    await proxy.close();
    first.destroy();
    second.destroy();
  });

  it('gives up with a clear error when the serial socket never appears', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-console-'));
    await expect(startConsoleProxy({ serialSocket: join(dir, 'none'), listenPath: join(dir, 'c.sock'), connectTimeoutMs: 100 }))
      .rejects.toThrow(/Could not connect to the serial console at .*none within 100 ms/);
  });
});
