import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { runKvt } from '../kvt.js';
import { parseRunArgs } from './run.js';

describe('parseRunArgs', () => {
  it('reads files, console, the wait pattern and the timeout', () => {
    const o = parseRunArgs(['-f', 'a.yaml', '--filename', 'dir/', '-R', '--console', '--wait-for-console', '^login:', '--timeout', '90', '-n', 'ns', '--data-dir', '/d']);
    expect(o).toMatchObject({ files: ['a.yaml', 'dir/'], recursive: true, console: true, timeoutMs: 90_000, namespace: 'ns', dataDir: '/d', logLevel: 'warn' });
    expect(o.waitFor?.source).toBe('^login:');
  });

  it.each([
    [[], { podCidr: '10.231.0.0/24', bridge: 'kvt0', egress: false }],
    [['--pod-cidr', '10.50.8.0/22', '--pod-bridge', 'kvt-lab', '--egress'], { podCidr: '10.50.8.0/22', bridge: 'kvt-lab', egress: true }],
  ])('the node network of %j', (flags, network) => {
    expect(parseRunArgs(['-f', 'a.yaml', ...flags]).network).toEqual(network);
  });

  it.each([
    [[], 'name what to run with -f FILE|DIR (repeatable; - for stdin)'],
    [['vm.yaml'], 'unexpected argument "vm.yaml" (name manifests with -f)'],
    [['-f', 'a', '--timeout', '0'], '--timeout must be a positive number of seconds, not "0"'],
    [['-f', 'a', '--timeout', '10s'], '--timeout must be a positive number of seconds, not "10s"'],
    [['-f', 'a', '--wait-for-console', '(unclosed'], /^--wait-for-console is not a valid regular expression: /],
    [['-f', 'a', '--log-level', 'loud'], '--log-level must be one of fatal, error, warn, info, debug, trace, silent, not "loud"'],
    [['-f', 'a', '--pod-cidr', '10.231.0.1/24'], '--pod-cidr 10.231.0.1/24: host bits are set; the network is 10.231.0.0/24'],
    [['-f', 'a', '--pod-cidr', '10.231.0.0/8'], '--pod-cidr 10.231.0.0/8: the prefix must be /16 to /29'],
    [['-f', 'a', '--pod-bridge', 'br0'], "--pod-bridge \"br0\": an interface name starting with 'kvt', of at most 15 letters, digits, '.', '_' or '-', is needed"],
  ] as const)('%j is a usage error', (args, message) => {
    expect(() => parseRunArgs(args)).toThrow(UsageError);
    expect(() => parseRunArgs(args)).toThrow(message);
  });
});

describe('kvt run', () => {
  it('exits 1 naming an unreadable manifest, before starting anything', async () => {
    let err = '';
    const code = await runKvt(['run', '-f', 'no/such/file.yaml'], { out: () => undefined, err: (t) => { err += t; } });
    expect(code).toBe(1);
    expect(err).toMatch(/^error: no\/such\/file\.yaml: ENOENT/);
  });
});

describe('the daemon client commands', () => {
  it.each([['get', 'vms'], ['delete', 'vm', 'demo'], ['apply', '-f', 'examples/demo.yaml'], ['console', 'demo'], ['stop', 'demo'], ['pause', 'demo']])('kvt %s without a daemon says how to start one', async (...args) => {
    let err = '';
    const code = await runKvt([...args, '--socket', '/nonexistent/kvt.sock'], { out: () => undefined, err: (t) => { err += t; } });
    expect(code).toBe(1);
    expect(err).toBe('error: no kvt daemon is listening on /nonexistent/kvt.sock; start one with `kvt daemon`\n');
  });
});
