/**
 * Change detection for files the server re-reads (its certificate pair, the object directory):
 * `fs.watch` on the containing directories for promptness, and a periodic fingerprint as the
 * fallback for what inotify misses (network filesystems, a Kubernetes secret volume's `..data`
 * symlink swap, a watch that failed to start). Directories are watched rather than files because
 * an atomic replace gives the file a new inode, which a file watch would lose.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../../core/log.js';

/** Options of {@link watchForChanges}. */
export interface ChangeWatchOptions {
  /** Directories whose entries are watched. */
  readonly dirs: readonly string[];
  /** A value that changes whenever the watched content does; must not throw for a missing file. */
  readonly fingerprint: () => Promise<string>;
  /** The fingerprint of what the caller loaded (taken before loading); computed now when absent. */
  readonly initial?: string;
  /** Called once per fingerprint change, never concurrently with itself. */
  readonly onChange: () => Promise<void>;
  /** Period of the fallback check. */
  readonly pollMs: number;
  /** Quiet time after a watch event before checking, so a burst of writes is read once. @default 50 */
  readonly debounceMs?: number;
  readonly log: Logger;
}

/** A running watch; `close()` stops every watcher and timer. */
export interface ChangeWatcher {
  close(): void;
  /** Checks now (and reloads on a change); resolves when done. */
  check(): Promise<void>;
}

/**
 * Watches for changes against `initial`, the fingerprint of what the caller has loaded: a caller
 * takes it before it reads, so a change between its read and the watch's start is still seen.
 */
export function watchForChanges(options: ChangeWatchOptions): ChangeWatcher {
  let last: Promise<string> = options.initial === undefined ? options.fingerprint() : Promise.resolve(options.initial);
  let running: Promise<void> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;

  const checkOnce = async (): Promise<void> => {
    const previous = await last;
    const current = await options.fingerprint();
    if (closed || current === previous) return;
    last = Promise.resolve(current);
    await options.onChange();
  };
  // Chains checks so that onChange never overlaps itself and a change during a reload is seen.
  const check = (): Promise<void> => {
    running = running.then(checkOnce).catch((err: unknown) => {
      options.log.error({ err }, 'Could not check watched files for changes');
    });
    return running;
  };
  const onEvent = (): void => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), options.debounceMs ?? 50);
    debounce.unref();
  };
  const watchers = options.dirs.map((dir) => startWatch(dir, onEvent, options.log));
  const poll = setInterval(() => void check(), options.pollMs);
  poll.unref();
  return {
    check,
    close: () => {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      for (const w of watchers) w?.close();
    },
  };
}

function startWatch(dir: string, onEvent: () => void, log: Logger): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, onEvent);
    watcher.on('error', (err: unknown) => {
      log.warn({ err, dir }, 'Stopped watching directory; polling continues');
      watcher.close();
    });
    return watcher;
  } catch (err: unknown) {
    log.warn({ err, dir }, 'Could not watch directory; polling instead');
    return undefined;
  }
}
