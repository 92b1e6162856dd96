// `kvt virt-handler`'s command line: required and checked flags name themselves; a handler that
// cannot reach the API exits 1 with the reason.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { parseVirtHandlerArgs, virtHandlerCommandFor } from './virt-handler.js';

describe('parseVirtHandlerArgs', () => {
  it('takes the flags, with the run root defaulted', () => {
    expect(parseVirtHandlerArgs(['--node-name', 'node01'], '/run/kvt')).toEqual({ nodeName: 'node01', runRoot: '/run/kvt', logLevel: 'info' });
    expect(parseVirtHandlerArgs(['--node-name', 'n.example', '--kubeconfig', '/k', '--run-root', '/r', '--log-level', 'debug'], '/run/kvt'))
      .toEqual({ nodeName: 'n.example', kubeconfig: '/k', runRoot: '/r', logLevel: 'debug' });
  });

  it.each<[string[], RegExp]>([
    [[], /--node-name is required/],
    [['--node-name', 'Node_1'], /--node-name must be a DNS-1123 subdomain/],
    [['--node-name', 'n', '--log-level', 'loud'], /--log-level must be one of/],
    [['--node-name', 'n', '--run-root', ''], /--run-root must not be empty/],
    [['--node-name', 'n', 'extra'], /unexpected argument "extra"/],
  ])('%j → %s', (args, message) => {
    expect(() => parseVirtHandlerArgs(args, '/run/kvt')).toThrow(UsageError);
    expect(() => parseVirtHandlerArgs(args, '/run/kvt')).toThrow(message);
  });
});

describe('kvt virt-handler', () => {
  it('exits 1 with the reason when the API cannot be reached', async () => {
    const errors: string[] = [];
    const command = virtHandlerCommandFor({
      connect: () => Promise.reject(new Error('no kubeconfig at /nope')),
      vmiInformer: () => { throw new Error('not reached'); },
      run: () => { throw new Error('not reached'); },
    });
    const code = await command.run(['--node-name', 'n1', '--kubeconfig', '/nope', '--log-level', 'silent'], { out: () => {}, err: (t) => errors.push(t) });
    expect(code).toBe(1);
    expect(errors.join('')).toMatch(/could not start: no kubeconfig at \/nope/);
  });
});
