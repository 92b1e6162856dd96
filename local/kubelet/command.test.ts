import { describe, expect, it } from 'vitest';
import { launcherArgv } from './command.js';

describe('launcherArgv', () => {
  it.each([
    ['kvt command and args', { name: 'compute', command: ['kvt', 'virt-launcher'], args: ['--await-vmi', '--name', 'a'] }, { argv: ['virt-launcher', '--await-vmi', '--name', 'a'] }],
    ['no args', { name: 'compute', command: ['kvt', 'version'] }, { argv: ['version'] }],
    ['another binary', { name: 'compute', command: ['/usr/bin/virt-launcher'] }, { error: 'spec.containers[compute].command must start with "kvt", not "/usr/bin/virt-launcher"' }],
    ['no command', { name: 'compute' }, { error: 'spec.containers[compute].command must start with "kvt", not null' }],
  ])('%s', (_what, container, expected) => {
    expect(launcherArgv(container)).toEqual(expected);
  });
});
