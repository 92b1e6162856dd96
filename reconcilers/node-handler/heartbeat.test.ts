// The node heartbeat (kubevirt/controllers.md §2, §5) on the real in-memory API server: the first
// beat creates the Node with kubevirt.io/schedulable=true and the heartbeat annotation, later beats
// move the annotation and keep labels others set.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { heartbeatMetadata, NODE_TYPE, type NodeObject } from './heartbeat.js';
import { beat, startHeartbeat } from './runtime/heartbeat.js';

const HANDLER = { username: 'system:serviceaccount:kubevirt:kubevirt-handler', groups: ['system:serviceaccounts', 'system:authenticated'] };
let store: MemoryStore | undefined;
afterEach(async () => { await store?.close(); store = undefined; });

describe('node heartbeat', () => {
  it('formats the annotation as RFC 3339 seconds', () => {
    expect(heartbeatMetadata(new Date('2026-12-02T20:00:01.789Z'))).toEqual({
      labels: { 'kubevirt.io/schedulable': 'true' },
      annotations: { 'kubevirt.io/heartbeat': '2026-12-02T20:00:01Z' },
    });
  });

  it('creates the Node, then refreshes it, keeping other labels', async () => {
    store = createMemoryStore();
    const kube = store.client(HANDLER);
    await beat(kube, 'n1', new Date('2026-12-02T20:00:00Z'));
    const first = await store.get<NodeObject>(NODE_TYPE, undefined, 'n1');
    expect(first.metadata.labels).toEqual({ 'kubevirt.io/schedulable': 'true' });
    expect(first.metadata.annotations?.['kubevirt.io/heartbeat']).toBe('2026-12-02T20:00:00Z');
    await store.patch(NODE_TYPE, { name: 'n1' }, { type: 'merge', body: { metadata: { labels: { zone: 'a' } } } });
    await beat(kube, 'n1', new Date('2026-12-02T20:01:00Z'));
    const second = await store.get<NodeObject>(NODE_TYPE, undefined, 'n1');
    expect(second.metadata.annotations?.['kubevirt.io/heartbeat']).toBe('2026-12-02T20:01:00Z');
    expect(second.metadata.labels).toEqual({ 'kubevirt.io/schedulable': 'true', zone: 'a' });
  });

  it('the loop beats at once and on every tick until stopped', async () => {
    store = createMemoryStore();
    let t = Date.parse('2026-12-02T20:00:00Z');
    const hb = startHeartbeat({ kube: store.client(HANDLER), nodeName: 'n2', log: createLogger({ name: 'virt-handler', level: 'silent' }), now: () => new Date((t += 1000)), intervalMs: 20 });
    for (let i = 0; i < 100; i++) {
      const node = await store.get<NodeObject>(NODE_TYPE, undefined, 'n2').catch(() => undefined);
      if (node !== undefined && node.metadata.annotations?.['kubevirt.io/heartbeat'] !== '2026-12-02T20:00:01Z') break;
      await new Promise((d) => setTimeout(d, 10));
    }
    await hb.stop();
    const node = await store.get<NodeObject>(NODE_TYPE, undefined, 'n2');
    expect(Date.parse(node.metadata.annotations?.['kubevirt.io/heartbeat'] ?? '')).toBeGreaterThan(Date.parse('2026-12-02T20:00:01Z'));
  });
});
