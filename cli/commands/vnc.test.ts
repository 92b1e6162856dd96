// kvt vnc's parts: the viewer choice and --port (pure), and the proxy on real sockets: bytes cross
// from a TCP client on 127.0.0.1 to the unix socket a launcher's QEMU serves VNC on, and back.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findViewer, parsePort, serveVncProxy } from './vnc.js';

describe('findViewer', () => {
  it.each<[string, string[], string | undefined]>([
    ['none installed', [], undefined],
    ['remote-viewer first', ['/usr/bin/vncviewer', '/usr/bin/remote-viewer'], '/usr/bin/remote-viewer vnc://127.0.0.1:5901'],
    ['vncviewer takes host::port', ['/opt/bin/vncviewer'], '/opt/bin/vncviewer 127.0.0.1::5901'],
    ['the first PATH directory that has it', ['/b/remote-viewer', '/a/remote-viewer'], '/a/remote-viewer vnc://127.0.0.1:5901'],
    ['an empty PATH entry is no directory', ['remote-viewer'], undefined],
  ])('%s', async (_name, installed, expected) => {
    const found = await findViewer('/a::/b:/usr/bin:/opt/bin', 5901, (f) => Promise.resolve(installed.includes(f)));
    expect(found === undefined ? undefined : [found.command, ...found.args].join(' ')).toBe(expected);
  });
});

describe('parsePort', () => {
  it.each<[string | undefined, number | RegExp]>([
    [undefined, 0], ['0', 0], ['5900', 5900], ['65535', 65535], ['65536', /TCP port/], ['-1', /TCP port/], ['vnc', /TCP port/],
  ])('%j', (raw, expected) => {
    if (typeof expected === 'number') expect(parsePort(raw)).toBe(expected);
    else expect(() => parsePort(raw)).toThrow(expected);
  });
});

describe('serveVncProxy', () => {
  let dir = '';
  let fake: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (fake === undefined ? resolve() : fake.close(() => resolve())));
    await rm(dir, { recursive: true, force: true });
  });

  it('joins a TCP connection on 127.0.0.1 to the VNC unix socket, both ways', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-vnc-'));
    const socket = join(dir, 'virt-vnc');
    // QEMU's side: greets with the RFB version, then echoes what it gets.
    fake = createServer((c) => { c.write('RFB 003.008\n'); c.on('data', (d) => c.write(`echo:${d.toString()}`)); });
    await new Promise<void>((resolve) => fake?.listen(socket, resolve));
    const proxy = await serveVncProxy(socket, 0);
    expect(proxy.port).toBeGreaterThan(0);
    const client = createConnection(proxy.port, '127.0.0.1');
    let got = '';
    client.on('data', (d) => { got += d.toString(); });
    await new Promise<void>((resolve) => client.once('connect', resolve));
    client.write('hello');
    const end = Date.now() + 3000;
    while (!got.includes('echo:hello') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('RFB 003.008\necho:hello');
    client.destroy();
    await proxy.close();
  });
});
