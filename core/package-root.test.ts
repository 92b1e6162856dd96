import { describe, expect, it } from 'vitest';
import { packageRoot } from './package-root.js';

describe('packageRoot', () => {
  it.each([
    ['file:///opt/kvt/cli/commands/version.ts', 2, '/opt/kvt'],
    ['file:///opt/kvt/dist/cli/commands/version.js', 2, '/opt/kvt'],
    ['file:///opt/kvt/local/kubelet/runtime/spawn.ts', 3, '/opt/kvt'],
    ['file:///opt/kvt/dist/local/kubelet/runtime/spawn.js', 3, '/opt/kvt'],
  ])('%s, %i up: %s', (url, levels, root) => {
    expect(packageRoot(url, levels)).toBe(root);
  });
});
