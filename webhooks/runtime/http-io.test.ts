// requestPath: what the webhook server and the aggregated API route on.
import { describe, expect, it } from 'vitest';
import { requestPath } from './http-io.js';

describe('requestPath', () => {
  it.each([
    ['/validate-vmi', '/validate-vmi'],
    ['/validate-vmi?timeout=10s', '/validate-vmi'],
    ['/apis/subresources.kubevirt.io/v1/namespaces/d/virtualmachineinstances/v/console?a=1&b=2', '/apis/subresources.kubevirt.io/v1/namespaces/d/virtualmachineinstances/v/console'],
    ['/healthz?', '/healthz'],
    ['?x', ''],
    [undefined, '/'],
    ['', ''],
  ])('%j → %j', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });
});
