// The console fan-out against a real unix-socket server standing in for QEMU's chardev (one client
// at a time, as QEMU's is): history for late clients, output to every client, input to the guest.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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

  it('never makes the guest wait: a burst is read while the launcher is busy, every byte once and in order, and a stalled client is dropped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-console-'));
    const serialPath = join(dir, 'serial');
    const go = join(dir, 'go');
    const done = join(dir, 'done');
    const total = 8 * 1024 * 1024;
    // QEMU stand-in in its own process: it writes the burst as QEMU does, waiting whenever the socket is full.
    const guest = spawn(process.execPath, ['-e', `
      const net = require('node:net'); const fs = require('node:fs');
      const [path, go, done, total] = process.argv.slice(1);
      const server = net.createServer((s) => {
        s.on('error', () => undefined);
        const wait = setInterval(() => {
          if (!fs.existsSync(go)) return;
          clearInterval(wait);
          let sent = 0;
          const next = () => {
            while (sent < Number(total)) {
              const size = Math.min(65536, Number(total) - sent);
              const chunk = Buffer.alloc(size);
              for (let i = 0; i < size; i++) chunk[i] = (sent + i) % 251;
              sent += size;
              const last = sent === Number(total);
              const more = s.write(chunk, last ? () => fs.writeFileSync(done, '') : undefined);
              if (!more) return void s.once('drain', next);
            }
          };
          next();
        }, 5);
      });
      server.listen(path, () => console.log('listening'));
    `, serialPath, go, done, String(total)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((ready) => guest.stdout.once('data', ready));
      const proxy = await startConsoleProxy({ serialSocket: serialPath, listenPath: join(dir, 'console.sock'), clientStall: { bytes: 1024 * 1024, ms: 300 } });
      const good = connect(proxy.listenPath);
      const received: Buffer[] = [];
      let size = 0;
      good.on('data', (b: Buffer) => { received.push(b); size += b.length; });
      const stalled = connect(proxy.listenPath);
      stalled.pause();
      let stalledClosed = false;
      stalled.on('close', () => { stalledClosed = true; });
      await new Promise((connected) => setTimeout(connected, 200));

      // The launcher's event loop is blocked from the first byte of the burst until the guest wrote its last.
      writeFileSync(go, '');
      const blocked = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 60_000;
      while (!existsSync(done) && Date.now() < deadline) Atomics.wait(blocked, 0, 0, 20);
      expect(existsSync(done), 'the guest finished its burst while the launcher was busy').toBe(true);

      await until(() => size >= total);
      // The stalled client reads again only now: it finds what its socket held, then that it was dropped.
      let stalledGot = 0;
      stalled.on('data', (b: Buffer) => { stalledGot += b.length; });
      await until(() => proxy.clientCount() === 1);
      expect(proxy.clientCount()).toBe(1);
      stalled.resume();
      await until(() => stalledClosed);
      expect(stalledGot).toBeLessThan(total);
      const whole = Buffer.concat(received);
      expect(whole.length).toBe(total);
      const expected = Buffer.alloc(total);
      for (let i = 0; i < total; i++) expected[i] = i % 251;
      let first = -1;
      for (let i = 0; i < total && first < 0; i++) if (whole[i] !== expected[i]) first = i;
      expect(first, `first wrong byte at ${first}: ${whole.subarray(Math.max(0, first - 4), first + 8).toString('hex')} vs ${expected.subarray(Math.max(0, first - 4), first + 8).toString('hex')}`).toBe(-1);
      expect(stalledClosed).toBe(true);
      good.destroy();
      stalled.destroy();
      await proxy.close();
    } finally {
      guest.kill('SIGKILL');
    }
  }, 120_000);
});
