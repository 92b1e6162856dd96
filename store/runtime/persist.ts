/**
 * Durable state of the in-memory API server: an append-only journal of JSON lines (a header, then
 * `{"put": object}`, `{"del": key, "rv": n}` and `{"rv": n}` records), fsynced in group commits
 * (every write waiting at the same time shares one fsync), compacted atomically (temp file, fsync,
 * rename, directory fsync) once it holds many more records than objects.
 *
 * A write is acknowledged only once its record is on disk. An append that fails (a full disk, an
 * I/O error) is undone: the file is cut back to its last good record and the store is told to
 * become what the file holds again, and every write not yet on disk is refused. At start a torn
 * last record (cut off mid-write, so never acknowledged) is dropped with a warning; a corrupt
 * record before the end stops the start with how to recover. The file is private (0600): it holds
 * Secrets.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
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

/** How a journal is opened. */
export interface JournalOptions {
  /** The store's current state, for compaction. */
  readonly snapshot: () => Snapshot;
  /** The record key of an object. */
  readonly keyFor: (o: KubeObject) => RecordKey;
  /**
   * After a failed append was undone: the store must become `durable` (what the file holds) again;
   * the writes not on disk are refused.
   */
  readonly onUndo: (durable: Snapshot, error: StoreFileError) => void;
  /** Things the operator should know that do not stop the store (a dropped torn record). */
  readonly warn: (message: string) => void;
}

/** The file's mode: only its owner reads it (it holds Secrets). */
export const JOURNAL_MODE = 0o600;

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

function parseLine(text: string): Line | undefined {
  try {
    const line = JSON.parse(text) as Line;
    if (typeof line === 'object' && line !== null && ('put' in line || 'rv' in line)) return line;
  } catch {
    // not a record
  }
  return undefined;
}

function corrupt(file: string, n: number): StoreFileError {
  return new StoreFileError(
    `${file}: line ${n}: not a store record, and records follow it (a corrupt file, not a write cut off at the end). ` +
      `kvt will not guess which objects it held. To recover: stop kvt, keep a copy of the file, then either restore a backup ` +
      `or keep the records before the bad line (head -n ${n - 1} FILE > FILE.good && mv FILE.good FILE), losing the changes after it`,
  );
}

interface Restored {
  readonly snapshot: Snapshot;
  /** Bytes of the file that hold whole records (a torn tail is after them). */
  readonly goodBytes: number;
  /** The length of a torn last record that was left out. */
  readonly tornBytes?: number;
}

/** Reads a journal. A torn last record is left out (and reported); a bad record before the end throws. */
function restore(file: string, keyFor: (o: KubeObject) => RecordKey): Restored {
  const bytes = readFileSync(file);
  const lines = bytes.toString('utf8').split('\n');
  // The text after the last newline was cut off mid-write; so was a last line that does not parse.
  lines.pop();
  let goodBytes = bytes.lastIndexOf(0x0a) + 1;
  if (lines[0] !== HEADER) throw new StoreFileError(`${file}: not a kubevirt-ts store file (bad header)`);
  const records: Line[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = parseLine(lines[i] as string);
    if (line !== undefined) records.push(line);
    else if (i === lines.length - 1) goodBytes = bytes.lastIndexOf(0x0a, goodBytes - 2) + 1;
    else throw corrupt(file, i + 1);
  }
  const objects = new Map<string, KubeObject>();
  let rv = 0;
  for (const line of records) {
    if ('put' in line) {
      objects.set(keyOf(line.put, keyFor), line.put);
      rv = Math.max(rv, Number(line.put.metadata.resourceVersion ?? 0));
    } else {
      if ('del' in line) objects.delete(`${line.del.kind}\u0000${line.del.key}`);
      rv = Math.max(rv, line.rv);
    }
  }
  const torn = bytes.length - goodBytes;
  return { snapshot: { rv, objects: [...objects.values()] }, goodBytes, ...(torn === 0 ? {} : { tornBytes: torn }) };
}

function writeFresh(file: string): void {
  const fd = openSync(file, 'w', JOURNAL_MODE);
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
  /** The file's length up to its last record known to be on disk. */
  private goodBytes: number;
  /** Set when a failed append could not be undone on disk: no write is accepted after it. */
  private broken: StoreFileError | undefined;

  constructor(
    private readonly file: string,
    private readonly options: JournalOptions,
  ) {
    // An empty file was created but never written (a crash before its header): start it afresh.
    if (!existsSync(file) || statSync(file).size === 0) writeFresh(file);
    if ((statSync(file).mode & 0o777) !== JOURNAL_MODE) chmodSync(file, JOURNAL_MODE);
    const restored = restore(file, options.keyFor);
    if (restored.tornBytes !== undefined) {
      options.warn(`${file}: dropped a torn last record of ${restored.tornBytes} bytes (a write cut off before it was acknowledged)`);
      truncateSync(file, restored.goodBytes);
    }
    this.restored = restored.snapshot;
    this.goodBytes = restored.goodBytes;
    this.records = this.restored.objects.length;
  }

  put(object: KubeObject): void {
    this.pending.push(`${JSON.stringify({ put: object })}\n`);
  }

  remove(key: RecordKey, rv: number): void {
    this.pending.push(`${JSON.stringify({ del: key, rv })}\n`);
  }

  flushed(): Promise<void> {
    if (this.broken !== undefined) {
      this.pending.length = 0;
      return Promise.reject(this.broken);
    }
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
        const error = await this.undo(e);
        // Everything written since is undone with it: refuse those writes too.
        this.pending.length = 0;
        [...waiters, ...this.waiters.splice(0)].forEach((w) => w.reject(error));
      }
    }
    this.running = false;
  }

  /** Cuts the file back to its last good record and gives the store what it holds. */
  private async undo(cause: unknown): Promise<StoreFileError> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    let error = new StoreFileError(`${this.file}: the write was not saved (${reason}) and was undone`, { cause });
    try {
      await this.handle?.truncate(this.goodBytes);
      await this.handle?.datasync();
    } catch (e) {
      this.broken = new StoreFileError(`${this.file}: a write failed (${reason}) and the file could not be cut back to its last good record (${e instanceof Error ? e.message : String(e)}); no write is accepted until kvt restarts`, { cause: e });
      error = this.broken;
    }
    const durable = restore(this.file, this.options.keyFor);
    this.goodBytes = durable.goodBytes;
    this.records = durable.snapshot.objects.length;
    this.options.onUndo(durable.snapshot, error);
    return error;
  }

  private async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.handle ??= await open(this.file, 'a', JOURNAL_MODE);
    const bytes = Buffer.from(lines.join(''), 'utf8');
    for (let at = 0; at < bytes.length; ) at += (await this.handle.write(bytes, at)).bytesWritten;
    await this.handle.datasync();
    this.goodBytes += bytes.length;
    this.records += lines.length;
    const snap = this.options.snapshot();
    if (this.records > Math.max(1000, 4 * snap.objects.length)) await this.compactOrKeep(snap);
  }

  /** Compacts; a compaction that fails (a full disk) leaves the journal as it was, to try again later. */
  private async compactOrKeep(snap: Snapshot): Promise<void> {
    try {
      await this.compact(snap);
    } catch (e) {
      await unlink(`${this.file}.tmp`).catch(() => undefined);
      this.options.warn(`${this.file}: could not compact the journal (${e instanceof Error ? e.message : String(e)}); it keeps growing until a compaction succeeds`);
    }
  }

  private async compact(snap: Snapshot): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const out = await open(tmp, 'w', JOURNAL_MODE);
    const body = Buffer.from(`${[HEADER, ...snap.objects.map((o) => JSON.stringify({ put: o })), JSON.stringify({ rv: snap.rv })].join('\n')}\n`, 'utf8');
    try {
      for (let at = 0; at < body.length; ) at += (await out.write(body, at)).bytesWritten;
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    await rename(tmp, this.file);
    await syncDir(dirname(this.file));
    this.records = snap.objects.length + 1;
    this.goodBytes = body.length;
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.handle?.close();
    this.handle = undefined;
  }
}

/**
 * Opens (or creates, mode 0600) the journal at `file` and reads it. Throws a StoreFileError naming
 * the file when it is not a journal or holds a corrupt record before its end.
 */
export function openJournal(file: string, options: JournalOptions): Journal {
  return new FileJournal(file, options);
}
