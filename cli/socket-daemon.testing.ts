/**
 * A kvt daemon's socket for CLI tests: the daemon protocol served from an in-memory API server (with
 * admission) in a private directory, and `kvt` run as a user runs it (runKvt with the command line,
 * `--socket` appended) capturing what it prints. Test support only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveApiSocket, type ApiSocketServer } from '../local/runtime/api-server.js';
import { createMemoryStore, type MemoryStore } from '../store/runtime/memory.js';
import type { SubresourceApi } from '../webhooks/index.js';
import { runKvt } from './kvt.js';

/** What one `kvt` run printed, and its exit code. */
export interface KvtRun { readonly code: number; readonly out: string; readonly err: string }

/** A served socket over its store. */
export interface SocketDaemon {
  /** The private directory (the socket is in it; tests may write files there). */
  readonly dir: string;
  readonly store: MemoryStore;
  readonly server: ApiSocketServer;
  /** Runs kvt with `args` against this socket. */
  kvt(...args: string[]): Promise<KvtRun>;
  close(): Promise<void>;
}

/** Serves a fresh in-memory store on a socket in a new directory named after `prefix`. */
export async function startSocketDaemon(prefix: string, subresource?: (store: MemoryStore) => SubresourceApi): Promise<SocketDaemon> {
  const dir = await mkdtemp(join(tmpdir(), `kvt-${prefix}-`));
  const store = createMemoryStore({});
  const server = await serveApiSocket(join(dir, 'kvt.sock'), store, subresource === undefined ? {} : { subresource: subresource(store) });
  const kvt = async (...args: string[]): Promise<KvtRun> => {
    let out = '';
    let err = '';
    const code = await runKvt([...args, '--socket', server.path], { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  };
  const close = async (): Promise<void> => {
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, store, server, kvt, close };
}
