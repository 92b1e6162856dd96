import { describe, expect, it } from 'vitest';
import { abortable } from './abort.js';

describe('abortable', () => {
  it('settles as the work does while the signal is not aborted', async () => {
    const signal = new AbortController().signal;
    await expect(abortable(Promise.resolve(7), signal)).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('no')), signal)).rejects.toThrow('no');
  });

  it('rejects with the signal\'s reason on abort, before the work ends; the work\'s later failure is dropped', async () => {
    const controller = new AbortController();
    let fail = (): void => undefined;
    const work = new Promise<number>((_, reject) => (fail = () => reject(new Error('late'))));
    const waiting = abortable(work, controller.signal);
    const reason = new Error('stopped');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    fail();
    await new Promise((r) => setTimeout(r, 1));
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(abortable(new Promise(() => undefined), controller.signal)).rejects.toThrow('already');
  });
});
