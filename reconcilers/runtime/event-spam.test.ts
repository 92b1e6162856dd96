import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/kube.js';
import { SPAM_BURST, SPAM_REFILL_MS, SpamFilter, spamKey } from './event-spam.js';

const rs: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'pool', namespace: 'prod', uid: 'u1' } };
const source = { component: 'virtualmachinereplicaset-controller' };

/** Asks `times` times at `atMs`; the number allowed. */
const allowedOf = (filter: SpamFilter, key: string, times: number, atMs: number): number => Array.from({ length: times }, () => filter.allow(key, atMs)).filter(Boolean).length;

describe('SpamFilter (client-go EventSourceObjectSpamFilter)', () => {
  it.each<[string, number, number, number]>([
    // name, asked at 0, then asked again after ms, allowed the second time
    ['a burst of 25, then nothing at once', 40, 0, 0],
    ['one more per 5 minutes', 25, SPAM_REFILL_MS, 1],
    ['two more after 10 minutes', 25, 2 * SPAM_REFILL_MS, 2],
    ['never more than the burst, however long the pause', 25, 1000 * SPAM_REFILL_MS, SPAM_BURST],
    ['not a whole token after half the refill time', 25, SPAM_REFILL_MS / 2, 0],
  ])('%s', (_name, first, afterMs, expected) => {
    const filter = new SpamFilter();
    const key = spamKey(source, rs);
    expect(allowedOf(filter, key, first, 0)).toBe(Math.min(first, SPAM_BURST));
    expect(allowedOf(filter, key, 40, afterMs)).toBe(expected);
  });

  it('keeps one bucket per source and object, whatever the reason or message', () => {
    const filter = new SpamFilter();
    const other: KubeObject = { ...rs, metadata: { ...rs.metadata, name: 'other', uid: 'u2' } };
    expect(allowedOf(filter, spamKey(source, rs), 30, 0)).toBe(SPAM_BURST);
    expect(allowedOf(filter, spamKey(source, other), 30, 0)).toBe(SPAM_BURST);
    expect(allowedOf(filter, spamKey({ component: 'virt-handler', host: 'n1' }, rs), 30, 0)).toBe(SPAM_BURST);
    expect(spamKey(source, { ...rs, metadata: { ...rs.metadata, uid: 'u3' } })).not.toBe(spamKey(source, rs));
  });

  it('forgets the least recently used bucket past its bound (a forgotten key starts full again)', () => {
    const filter = new SpamFilter(2);
    expect(allowedOf(filter, 'a', 30, 0)).toBe(SPAM_BURST);
    filter.allow('b', 0);
    filter.allow('c', 0);
    expect(allowedOf(filter, 'a', 30, 0)).toBe(SPAM_BURST);
    expect(allowedOf(filter, 'c', 30, 0)).toBe(SPAM_BURST - 1);
  });
});
