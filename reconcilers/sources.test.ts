// The source constructors over a hand-driven Cache: which keys each change enqueues, start and stop.
import { describe, expect, it } from 'vitest';
import type { Cache } from '../core/cache.js';
import { objectKey, type KubeObject } from '../core/kube.js';
import { channel, mapped, ownedBy, primary, type KeySink } from './sources.js';

interface Labelled extends KubeObject {
  readonly spec?: { readonly node?: string };
}

/** A cache whose changes the test makes. */
class HandCache<T extends KubeObject> implements Cache<T> {
  private readonly items = new Map<string, T>();
  private readonly handlers = new Set<(o: Readonly<T>, p: Readonly<T> | undefined, d: boolean) => void>();
  put(object: T): void {
    const previous = this.items.get(objectKey(object));
    this.items.set(objectKey(object), object);
    for (const h of this.handlers) h(object, previous, false);
  }
  remove(key: string): void {
    const previous = this.items.get(key);
    if (previous === undefined) return;
    this.items.delete(key);
    for (const h of this.handlers) h(previous, previous, true);
  }
  get(key: string): T | undefined { return this.items.get(key); }
  list(): T[] { return [...this.items.values()]; }
  controlledBy(): T[] { return []; }
  uncontrolled(): T[] { return []; }
  onChange(h: (o: Readonly<T>, p: Readonly<T> | undefined, d: boolean) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  hasSynced(): boolean { return true; }
}

function sink(): KeySink & { keys: string[]; errors: unknown[] } {
  const keys: string[] = [];
  const errors: unknown[] = [];
  return { keys, errors, add: (k) => keys.push(k), failed: (e) => errors.push(e) };
}

const obj = (name: string, extra: Partial<Labelled> = {}): Labelled => ({ apiVersion: 'v1', kind: 'Thing', metadata: { name, namespace: 'ns' }, ...extra });
const ownedObj = (name: string, ownerKind: string, owner: string): Labelled =>
  obj(name, { metadata: { name, namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: ownerKind, name: owner, uid: `uid-${owner}`, controller: true }] } });

describe('primary', () => {
  it('enqueues existing objects on request and each later change by its own key, until stopped', () => {
    const cache = new HandCache<Labelled>();
    cache.put(obj('a'));
    const s = sink();
    const source = primary(cache);
    source.enqueueExisting(s);
    const stop = source.start(s);
    cache.put(obj('b'));
    cache.remove('ns/a');
    stop();
    cache.put(obj('c'));
    expect(s.keys).toEqual(['ns/a', 'ns/b', 'ns/a']);
  });

  it('with `when`, only accepted objects enqueue (existing ones too)', () => {
    const cache = new HandCache<Labelled>();
    cache.put(obj('mine', { spec: { node: 'n1' } }));
    cache.put(obj('other', { spec: { node: 'n2' } }));
    const s = sink();
    const source = primary(cache, { when: (o) => o.spec?.node === 'n1' });
    source.enqueueExisting(s);
    source.start(s);
    cache.put(obj('other2', { spec: { node: 'n2' } }));
    cache.put(obj('mine2', { spec: { node: 'n1' } }));
    expect(s.keys).toEqual(['ns/mine', 'ns/mine2']);
  });
});

describe('ownedBy', () => {
  it('maps a child to its controller owner of that kind; other owners and orphans enqueue nothing', () => {
    const cache = new HandCache<Labelled>();
    const s = sink();
    ownedBy(cache, 'Parent').start(s);
    cache.put(ownedObj('c1', 'Parent', 'p1'));
    cache.put(ownedObj('c2', 'Stranger', 'x'));
    cache.put(obj('orphan'));
    cache.remove('ns/c1');
    expect(s.keys).toEqual(['ns/p1', 'ns/p1']);
  });

  it('a child moving to another owner enqueues both, the previous one first', () => {
    const cache = new HandCache<Labelled>();
    cache.put(ownedObj('c', 'Parent', 'old'));
    const s = sink();
    ownedBy(cache, 'Parent').start(s);
    cache.put(ownedObj('c', 'Parent', 'new'));
    cache.put(obj('c'));
    expect(s.keys).toEqual(['ns/old', 'ns/new', 'ns/new']);
  });
});

describe('mapped', () => {
  it('passes the previous version and deletion to the mapping; a throwing mapping is reported, not enqueued', () => {
    const cache = new HandCache<Labelled>();
    const s = sink();
    const seen: [string | undefined, boolean][] = [];
    mapped(cache, (o, previous, deleted) => {
      seen.push([previous?.spec?.node, deleted]);
      if (o.metadata.name === 'bad') throw new Error('cannot map');
      return [`owner-of/${o.metadata.name ?? ''}`, 'shared'];
    }).start(s);
    cache.put(obj('a', { spec: { node: 'n1' } }));
    cache.put(obj('a', { spec: { node: 'n2' } }));
    cache.put(obj('bad'));
    cache.remove('ns/a');
    expect(s.keys).toEqual(['owner-of/a', 'shared', 'owner-of/a', 'shared', 'owner-of/a', 'shared']);
    expect(seen).toEqual([[undefined, false], ['n1', false], [undefined, false], ['n2', true]]);
    expect(s.errors).toHaveLength(1);
  });
});

describe('channel', () => {
  it('notify enqueues in every started sink; before start and after stop it is dropped', () => {
    const c = channel();
    const first = sink();
    const second = sink();
    c.notify('dropped');
    const stopFirst = c.start(first);
    c.start(second);
    c.notify('ns/x');
    stopFirst();
    c.notify('ns/y');
    expect(first.keys).toEqual(['ns/x']);
    expect(second.keys).toEqual(['ns/x', 'ns/y']);
  });
});
