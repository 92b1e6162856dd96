import { describe, expect, it } from 'vitest';
import { handlerVmiPath, parseHandlerVmiPath } from './virt-handler-endpoint.js';

describe('virt-handler REST paths', () => {
  it.each([
    [{ namespace: 'default', name: 'demo', action: 'pause' } as const, '/v1/namespaces/default/virtualmachineinstances/demo/pause'],
    [{ namespace: 'ns-1', name: 'a.b-c', action: 'console' } as const, '/v1/namespaces/ns-1/virtualmachineinstances/a.b-c/console'],
  ])('%j ↔ %s', (call, path) => {
    expect(handlerVmiPath(call)).toBe(path);
    expect(parseHandlerVmiPath(path)).toEqual(call);
  });

  it.each([
    '/v1/namespaces/default/virtualmachineinstances/demo/start',
    '/v1/namespaces/default/virtualmachines/demo/pause',
    '/v1/namespaces/Default/virtualmachineinstances/demo/pause',
    '/v1/namespaces/default/virtualmachineinstances/../pause',
    '/v1/namespaces/default/virtualmachineinstances/demo/pause/x',
    '/healthz',
  ])('names no call: %s', (path) => {
    expect(parseHandlerVmiPath(path)).toBeUndefined();
  });
});
