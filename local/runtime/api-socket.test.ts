// kvt daemon's socket framing for real (the KubeApi behaviour is the contract suite's): requests
// split across writes or sharing one, CRLF, unreadable lines, a line over the limit; and a client
// whose daemon answers with a line it cannot read.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.js';
import { createLineFramer } from '../../core/ndjson.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { MAX_REQUEST_LENGTH, MAX_RESPONSE_LENGTH, parseResponse, type ApiResponse } from '../api-protocol.js';
import { connectApiSocket } from './api-client.js';
import { serveApiSocket, type ApiSocketServer } from './api-server.js';

let dir = '';
let store: MemoryStore | undefined;
let server: ApiSocketServer | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function daemon(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'kvt-apisock-'));
  store = createMemoryStore({ admission: false });
  server = await serveApiSocket(join(dir, 'kvt.sock'), store);
  return server.path;
}

/** A client that writes raw text and reads checked responses. */
async function raw(path: string): Promise<{ socket: Socket; responses: ApiResponse[]; closed: () => boolean; until(n: number): Promise<ApiResponse[]> }> {
  const socket = await new Promise<Socket>((done, fail) => {
    const s = connect(path, () => done(s));
    s.once('error', fail);
  });
  const responses: ApiResponse[] = [];
  let closed = false;
  const framer = createLineFramer(MAX_RESPONSE_LENGTH);
  socket.setEncoding('utf8');
  socket.on('data', (t: string) => {
    for (const line of framer.push(t).lines) {
      const r = parseResponse(line);
      if (typeof r === 'string') throw new Error(r);
      responses.push(r);
    }
  });
  socket.on('close', () => { closed = true; });
  const until = async (n: number): Promise<ApiResponse[]> => {
    for (let i = 0; i < 500 && responses.length < n && !closed; i++) await new Promise((d) => setTimeout(d, 10));
    return responses;
  };
  return { socket, responses, closed: () => closed, until };
}

const NS = { apiVersion: 'v1', kind: 'Namespace' };

describe('kvt daemon socket framing', () => {
  it('reads requests split across writes, several in one write, CRLF and blank lines', async () => {
    const client = await raw(await daemon());
    client.socket.write('{"id":1,"method":"list","par');
    client.socket.write(`ams":[${JSON.stringify(NS)}]}\r\n\n{"id":2,"method":"get","params":[${JSON.stringify(NS)},null,"nope"]}\n`);
    const responses = await client.until(2);
    expect(responses.find((r) => r.id === 1)).toMatchObject({ result: { items: [] } });
    expect(responses.find((r) => r.id === 2)).toMatchObject({ error: { status: 404, reason: 'NotFound' } });
    client.socket.destroy();
  });

  it('answers an unreadable line with a 400 (by its id when it has one) and keeps the connection', async () => {
    const client = await raw(await daemon());
    client.socket.write('not json\n{"id":7,"method":"bogus","params":[]}\n{"id":8,"method":"list","params":[{"apiVersion":"v1","kind":"Namespace"}]}\n');
    const responses = await client.until(3);
    expect(responses.slice(0, 2)).toEqual([
      { id: -1, error: { status: 400, reason: 'BadRequest', message: 'not a JSON object' } },
      { id: 7, error: { status: 400, reason: 'BadRequest', message: 'unknown method "bogus"' } },
    ]);
    expect(responses[2]).toMatchObject({ id: 8, result: { items: [] } });
    client.socket.destroy();
  });

  it('answers a line over the limit with a 413 and closes the connection', async () => {
    const client = await raw(await daemon());
    client.socket.write('x'.repeat(MAX_REQUEST_LENGTH + 1));
    await client.until(1);
    for (let i = 0; i < 200 && !client.closed(); i++) await new Promise((d) => setTimeout(d, 10));
    expect(client.responses).toEqual([{ id: -1, error: { status: 413, reason: 'RequestEntityTooLarge', message: `request line longer than ${MAX_REQUEST_LENGTH} characters` } }]);
    expect(client.closed()).toBe(true);
  });

  it('fails the client\'s calls with a 502 when the daemon sends a line it cannot read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-apisock-'));
    const path = join(dir, 'bad.sock');
    const bad: Server = createServer((s) => { s.on('error', () => undefined); s.on('data', () => s.write('{"id":1,"result"\n')); });
    await new Promise<void>((d) => bad.listen(path, d));
    const client = await connectApiSocket(path);
    const error = await client.get(NS, undefined, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, reason: 'BadGateway', message: 'the kvt daemon sent a malformed response (not a JSON object)' });
    client.close();
    await new Promise<void>((d) => bad.close(() => d()));
  });
});
