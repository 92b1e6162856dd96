/**
 * Waiting with an AbortSignal: a reconcile's long wait (a launcher's reply) ends as soon as its
 * controller stops, instead of holding the stop until the wait is over.
 */

/**
 * What `work` settles to, or a rejection with `signal.reason` once `signal` aborts, whichever comes
 * first. `work` itself is not cancelled; its later outcome is observed and dropped (never an
 * unhandled rejection).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
