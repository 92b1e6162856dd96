/** Process signals as the long-running `kvt` commands (virt-launcher, virt-api, get -w, port-forward) use them. */
import type { CommandIo } from './command.js';

/** Resolves on the first SIGTERM or SIGINT, then stops listening (a second signal gets Node's default). */
export function stopSignal(): Promise<void> {
  return new Promise((done) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      done();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * Resolves when a command that runs until interrupted (`kvt get -w`, `kvt port-forward`) is to
 * stop: the io's signal when it carries one (a test or an embedding caller ends the command with
 * it, at once if already aborted), else the first SIGTERM or SIGINT ({@link stopSignal}).
 */
export function untilInterrupted(io: Pick<CommandIo, 'signal'>): Promise<void> {
  const signal = io.signal;
  if (signal === undefined) return stopSignal();
  return signal.aborted ? Promise.resolve() : new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }));
}
