/**
 * Durable state of the in-memory API server: an append-only journal of JSON lines (a header, then
 * `{"put": object}`, `{"del": key, "rv": n}` and `{"rv": n}` records), fsynced in group commits
 * (every write waiting at the same time shares one fsync), compacted atomically (temp file, fsync,
 * rename, directory fsync) once it holds many more records than objects. A torn or corrupt journal
 * is refused with its file name, never read as an empty store.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubeObject } from '../../core/kube.js';
import { KubevirtError } from '../../core/errors.js';

/** What a journal holds: every object and the resourceVersion counter. */
export interface Snapshot {
  readonly rv: number;
  readonly objects: readonly KubeObject[];
}

/** A journal that cannot be read. */
export class StoreFileError extends KubevirtError {}

const HEADER = JSON.stringify({ kvt: 'memory-store', version: 1 });

/** The key records name deleted objects by: `apiVersion/kind` + `namespace/name`. */
export interface RecordKey {
  readonly kind: string;
  readonly key: string;
}

/** The journal of one data file. */
export interface Journal {
  /** What the file held when it was opened. */
  readonly restored: Snapshot;
  put(object: KubeObject): void;
  remove(key: RecordKey, rv: number): void;
  /** Resolves once every record queued so far is on disk. */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

type Line = { put: KubeObject } | { del: RecordKey; rv: number } | { rv: number };

const keyOf = (o: KubeObject, keyFor: (o: KubeObject) => RecordKey): string => {
  const k = keyFor(o);
  return `${k.kind}\u0000${k.key}`;
};

function parseLine(file: string, text: string, n: number): Line {
  try {
    const line = JSON.parse(text) as Line;
    if (typeof line === 'object' && line !== null && ('put' in line || 'rv' in line)) return line;
  } catch {
    // reported below
  }
  throw new StoreFileError(`${file}: line ${n}: not a store record (torn or corrupt file)`);
}

function restore(file: string, keyFor: (o: KubeObject) => RecordKey): Snapshot {
  const text = readFileSync(file, 'utf8');
  if (text !== '' && !text.endsWith('\n')) throw new StoreFileError(`${file}: the last record is incomplete (torn write)`);
  const lines = text.split('\n').slice(0, -1);
  if (lines[0] !== HEADER) throw new StoreFileError(`${file}: not a kubevirt-ts store file (bad header)`);
  const objects = new Map<string, KubeObject>();
  let rv = 0;
  lines.slice(1).forEach((raw, i) => {
    const line = parseLine(file, raw, i + 2);
    if ('put' in line) {
      objects.set(keyOf(line.put, keyFor), line.put);
      rv = Math.max(rv, Number(line.put.metadata.resourceVersion ?? 0));
    } else {
      if ('del' in line) objects.delete(`${line.del.kind}\u0000${line.del.key}`);
      rv = Math.max(rv, line.rv);
    }
  });
  return { rv, objects: [...objects.values()] };
}

function writeFresh(file: string): void {
  const fd = openSync(file, 'wx');
  writeSync(fd, `${HEADER}\n`);
  fsyncSync(fd);
  closeSync(fd);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

class FileJournal implements Journal {
  readonly restored: Snapshot;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private handle: FileHandle | undefined;
  private records: number;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => Snapshot,
    keyFor: (o: KubeObject) => RecordKey,
  ) {
    if (!existsSync(file)) writeFresh(file);
    this.restored = restore(file, keyFor);
    this.records = this.restored.objects.length;
  }

  put(object: KubeObject): void {
    this.pending.push(`${JSON.stringify({ put: object })}\n`);
  }

  remove(key: RecordKey, rv: number): void {
    this.pending.push(`${JSON.stringify({ del: key, rv })}\n`);
  }

  flushed(): Promise<void> {
    if (this.pending.length === 0 && !this.running) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) void this.loop();
    return done;
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0 || this.waiters.length > 0) {
      const lines = this.pending.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        await this.append(lines);
        waiters.forEach((w) => w.resolve());
      } catch (e) {
        waiters.forEach((w) => w.reject(new StoreFileError(`${this.file}: ${String(e)}`, { cause: e })));
      }
    }
    this.running = false;
  }

  private async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.handle ??= await open(this.file, 'a');
    await this.handle.write(lines.join(''));
    await this.handle.datasync();
    this.records += lines.length;
    const snap = this.snapshot();
    if (this.records > Math.max(1000, 4 * snap.objects.length)) await this.compact(snap);
  }

  private async compact(snap: Snapshot): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const out = await open(tmp, 'w');
    try {
      const body = [HEADER, ...snap.objects.map((o) => JSON.stringify({ put: o })), JSON.stringify({ rv: snap.rv })].join('\n');
      await out.write(`${body}\n`);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    await rename(tmp, this.file);
    await syncDir(dirname(this.file));
    this.records = snap.objects.length + 1;
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.handle?.close();
    this.handle = undefined;
  }
}

/**
 * Opens (or creates) the journal at `file` and reads it. `snapshot` gives the store's current state
 * for compaction; `keyFor` names an object's record key. Throws a StoreFileError naming the file
 * when it is torn or corrupt.
 */
export function openJournal(file: string, snapshot: () => Snapshot, keyFor: (o: KubeObject) => RecordKey): Journal {
  return new FileJournal(file, snapshot, keyFor);
}
