import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { parseForwardTarget, parsePortPair, parseScpSide, parseSshDestination, shellWord } from './forward-args.js';
import { parsePortForwardArgs } from './commands/port-forward.js';
import { parseScpArgs, parseSshArgs } from './commands/ssh.js';
import { exposedService, exposeKind, exposeSpec, serviceSelector, type ExposedObject } from './expose.js';

const KVT = ['/usr/bin/node', '/opt/kvt/bin/kvt.js'];

describe('parseForwardTarget: virtctl\'s TYPE/NAME[.NAMESPACE]', () => {
  it.each<[string, object]>([
    ['vmi/demo', { kind: 'vmi', name: 'demo' }],
    ['vm/web-1', { kind: 'vm', name: 'web-1' }],
    ['VMI/demo.team-a', { kind: 'vmi', name: 'demo', namespace: 'team-a' }],
    ['virtualmachineinstance/x', { kind: 'vmi', name: 'x' }],
    ['virtualmachines/x.ns', { kind: 'vm', name: 'x', namespace: 'ns' }],
  ])('%s', (word, expected) => {
    expect(parseForwardTarget(word)).toEqual(expected);
  });

  it.each([['demo', /vmi\/NAME or vm\/NAME/], ['pod/demo', /vmi\/NAME or vm\/NAME/], ['vmi/', /not a valid VMI name/], ['vmi/Demo', /not a valid VMI name/],
    ['vmi/a.B_c', /not a valid namespace/], ['vm/x;rm -rf', /not a valid VM name/], ['vmi/a.b.c', /not a valid namespace/]])('refuses %s', (word, message) => {
    expect(() => parseForwardTarget(word)).toThrow(UsageError);
    expect(() => parseForwardTarget(word)).toThrow(message);
  });
});

describe('parsePortPair: PORT, LOCAL:REMOTE, :REMOTE, /tcp', () => {
  it.each<[string, { local: number; remote: number }]>([
    ['22', { local: 22, remote: 22 }],
    ['8080:80', { local: 8080, remote: 80 }],
    [':80', { local: 0, remote: 80 }],
    ['0:80', { local: 0, remote: 80 }],
    ['2222:22/tcp', { local: 2222, remote: 22 }],
    ['22/TCP', { local: 22, remote: 22 }],
  ])('%s', (spec, expected) => {
    expect(parsePortPair(spec)).toEqual(expected);
  });

  it.each([['0', /the port must be/], ['65536', /the port must be/], ['80:', /the remote port/], ['a:b', /the local port/], ['53/udp', /only tcp/],
    ['1:2:3', /PORT or LOCAL:REMOTE/], ['22/sctp', /unknown protocol/], ['', /the port must be/]])('refuses %j', (spec, message) => {
    expect(() => parsePortPair(spec)).toThrow(message);
  });
});

describe('kvt port-forward\'s command line', () => {
  it.each<[string[], object]>([
    [['vmi/demo', '8080:80'], { target: { kind: 'vmi', name: 'demo' }, namespace: 'default', ports: [{ local: 8080, remote: 80 }], address: '127.0.0.1', stdio: false, daemon: {} }],
    [['vm/web.team', '22', ':80', '--address', '0.0.0.0'], { namespace: 'team', ports: [{ local: 22, remote: 22 }, { local: 0, remote: 80 }], address: '0.0.0.0' }],
    [['--stdio', 'vmi/demo', '22', '--socket', '/run/k.sock'], { stdio: true, daemon: { socket: '/run/k.sock' } }],
    [['vmi/demo', '22', '-n', 'other', '--address', 'localhost'], { namespace: 'other', address: '127.0.0.1' }],
    [['vmi/demo', '22', '--kubeconfig', '/k'], { cluster: { kubeconfig: '/k' } }],
    [['vm/web.team', '22', '--kubeconfig', '/k', '--context', 'c'], { cluster: { kubeconfig: '/k', context: 'c', namespace: 'team' } }],
    [['--stdio', 'vmi/web', '22', '--kubeconfig', '/k', '-n', 'x'], { stdio: true, cluster: { kubeconfig: '/k', namespace: 'x' } }],
  ])('%j', (args, expected) => {
    expect(parsePortForwardArgs(args)).toMatchObject(expected);
  });

  it('has no cluster without --kubeconfig', () => {
    expect(parsePortForwardArgs(['vmi/demo', '22'])).not.toHaveProperty('cluster');
  });

  it.each<[string[], RegExp]>([
    [[], /name a target and a port/],
    [['vmi/demo'], /name a target and a port/],
    [['--stdio', 'vmi/demo', '22', '80'], /exactly one port/],
    [['vmi/demo', '22', '--address', 'my-host'], /--address must be an IP address or localhost/],
    [['vmi/demo.a', '22', '-n', 'b'], /namespace a and -n b differ/],
    [['vmi/demo', '22', '--context', 'c'], /--context needs --kubeconfig/],
  ])('refuses %j', (args, message) => {
    expect(() => parsePortForwardArgs(args)).toThrow(message);
  });
});

describe('kvt ssh: the system ssh\'s argv', () => {
  const proxy = (target: string, port = 22, extra = ''): string => `ProxyCommand=/usr/bin/node /opt/kvt/bin/kvt.js port-forward --stdio${extra} ${target} ${port}`;
  it.each<[string[], string[]]>([
    [['root@vmi/demo', '--', 'uname', '-a'], ['-o', proxy('vmi/demo.default'), '-o', 'HostKeyAlias=vmi.demo.default', '--', 'root@vmi.demo.default', 'uname', '-a']],
    [['vm/web.team', '-l', 'debian', '-i', '/k/id', '-p', '2222', '-o', 'StrictHostKeyChecking=no', '--known-hosts', '/dev/null'],
      ['-o', proxy('vm/web.team', 2222), '-o', 'HostKeyAlias=vmi.web.team', '-o', 'UserKnownHostsFile=/dev/null', '-i', '/k/id', '-o', 'StrictHostKeyChecking=no', '--', 'debian@vmi.web.team']],
    [['vmi/demo', '-c', 'echo hi', '--socket', '/tmp/my dir/kvt.sock'],
      ['-o', proxy('vmi/demo.default', 22, " --socket '/tmp/my dir/kvt.sock'"), '-o', 'HostKeyAlias=vmi.demo.default', '--', 'vmi.demo.default', 'echo hi']],
    [['alice@vmi/demo', '-l', 'bob'], ['-o', proxy('vmi/demo.default'), '-o', 'HostKeyAlias=vmi.demo.default', '--', 'alice@vmi.demo.default']],
    [['vmi/demo', '--kubeconfig', '/home/me/my config', '--context', 'kind'],
      ['-o', proxy('vmi/demo.default', 22, " --kubeconfig '/home/me/my config' --context kind"), '-o', 'HostKeyAlias=vmi.demo.default', '--', 'vmi.demo.default']],
    [['vm/web.team', '--kubeconfig', '/k'], ['-o', proxy('vm/web.team', 22, ' --kubeconfig /k'), '-o', 'HostKeyAlias=vmi.web.team', '--', 'vmi.web.team']],
  ])('%j', (args, expected) => {
    expect(parseSshArgs(args, KVT)).toEqual(expected);
  });

  it.each<[string[], string]>([
    [['vmi/demo', '--kubeconfig', '/k'], 'vmi/demo.ctx-ns'],
    [['vmi/demo.team', '--kubeconfig', '/k'], 'vmi/demo.team'],
    [['vmi/demo', '--kubeconfig', '/k', '-n', 'mine'], 'vmi/demo.mine'],
  ])('through a cluster, %j reaches %s (the context\'s namespace when none is named)', (args, target) => {
    expect(parseSshArgs(args, KVT, args.includes('-n') ? undefined : 'ctx-ns')[1]).toBe(proxy(target, 22, ' --kubeconfig /k'));
  });

  it.each<[string[], RegExp]>([
    [[], /name a VMI/],
    [['vmi/demo', '-c', 'a', '--', 'b'], /not both/],
    [['bad user@vmi/demo'], /not a user name/],
    [['vmi/demo', '-p', '22:23'], /--port must be a TCP port/],
    [['vmi/demo', '--context', 'c'], /--context needs --kubeconfig/],
  ])('refuses %j', (args, message) => {
    expect(() => parseSshArgs(args, KVT)).toThrow(message);
  });

  it('quotes ProxyCommand words for the shell ssh runs it with', () => {
    expect(shellWord('plain/path-1.2')).toBe('plain/path-1.2');
    expect(shellWord("it's $(x)")).toBe(`'it'\\''s $(x)'`);
    expect(parseSshDestination('u@vmi/x.y')).toEqual({ user: 'u', target: { kind: 'vmi', name: 'x', namespace: 'y' } });
  });
});

describe('kvt scp: one side in the VMI', () => {
  it.each<[string, object]>([
    ['root@vmi/demo:/tmp/x', { user: 'root', target: { kind: 'vmi', name: 'demo' }, path: '/tmp/x' }],
    ['vm/web.team:', { target: { kind: 'vm', name: 'web', namespace: 'team' }, path: '' }],
    ['./local:file', { local: './local:file' }],
    ['/abs/path', { local: '/abs/path' }],
  ])('%s', (word, expected) => {
    expect(parseScpSide(word)).toEqual(expected);
  });

  it('builds scp\'s argv with the ProxyCommand and the alias', () => {
    expect(parseScpArgs(['-r', 'dir', 'root@vmi/demo:/tmp/'], KVT)).toEqual([
      '-o', 'ProxyCommand=/usr/bin/node /opt/kvt/bin/kvt.js port-forward --stdio vmi/demo.default 22', '-o', 'HostKeyAlias=vmi.demo.default', '-r', '--', 'dir', 'root@vmi.demo.default:/tmp/',
    ]);
    expect(parseScpArgs(['--preserve', 'vmi/demo:/etc/hostname', 'a:b'], KVT).slice(-4)).toEqual(['-p', '--', 'vmi.demo.default:/etc/hostname', './a:b']);
  });

  it.each<[string[], RegExp]>([
    [['a', 'b'], /exactly one of source and destination/],
    [['vmi/a:/x', 'vmi/b:/y'], /exactly one of source and destination/],
    [['a'], /a source and a destination/],
  ])('refuses %j', (args, message) => {
    expect(() => parseScpArgs(args, KVT)).toThrow(message);
  });
});

describe('kvt expose: virtctl expose\'s Service', () => {
  it.each([['vmi', 'vmi'], ['VirtualMachineInstances', 'vmi'], ['vm', 'vm'], ['vmirs', 'vmirs'], ['virtualmachineinstancereplicaset', 'vmirs']])('%s is %s', (word, kind) => {
    expect(exposeKind(word)).toBe(kind);
  });

  it.each<[object, object]>([
    [{ name: 'web', port: '80' }, { serviceName: 'web', port: 80, protocol: 'TCP', type: 'ClusterIP' }],
    [{ name: 'ssh', port: '5555', 'target-port': '22', type: 'NodePort', 'node-port': '30001' }, { port: 5555, targetPort: 22, type: 'NodePort', nodePort: 30001 }],
    [{ name: 'web', port: '80', 'target-port': 'http', protocol: 'UDP', 'port-name': 'p' }, { targetPort: 'http', protocol: 'UDP', portName: 'p' }],
  ])('%j', (flags, expected) => {
    expect(exposeSpec(flags)).toMatchObject(expected);
  });

  it.each<[object, RegExp]>([
    [{ port: '80' }, /required flag "name" not set/],
    [{ name: 'web' }, /required flag "port" not set/],
    [{ name: 'Web', port: '80' }, /not a valid Service name/],
    [{ name: 'web', port: '0' }, /--port must be a port number/],
    [{ name: 'web', port: '80', protocol: 'SCTP' }, /unknown protocol: SCTP/],
    [{ name: 'web', port: '80', type: 'ExternalName' }, /type: ExternalName not supported/],
    [{ name: 'web', port: '80', type: 'Headless' }, /unknown service type: Headless/],
    [{ name: 'web', port: '80', 'node-port': '30001' }, /--node-port needs --type NodePort/],
    [{ name: 'web', port: '80', 'target-port': 'a b' }, /--target-port must be/],
  ])('refuses %j', (flags, message) => {
    expect(() => exposeSpec(flags)).toThrow(message);
  });

  it.each<[string, 'vmi' | 'vm' | 'vmirs', ExposedObject, Record<string, string> | RegExp]>([
    ['a VMI\'s labels without its node', 'vmi', { metadata: { labels: { app: 'web', 'kubevirt.io/nodeName': 'local' } } }, { app: 'web' }],
    ['a VM\'s template labels', 'vm', { metadata: { labels: { vm: 'label' } }, spec: { template: { metadata: { labels: { 'kubevirt.io/domain': 'web' } } } } }, { 'kubevirt.io/domain': 'web' }],
    ['a replica set\'s matchLabels', 'vmirs', { metadata: {}, spec: { selector: { matchLabels: { app: 'pool' } } } }, { app: 'pool' }],
    ['match expressions refused', 'vmirs', { metadata: {}, spec: { selector: { matchLabels: { a: 'b' }, matchExpressions: [{}] } } }, /match expressions/],
    ['no labels refused', 'vmi', { metadata: { labels: { 'kubevirt.io/nodeName': 'local' } } }, /missing label information for vmi: web/],
  ])('selector: %s', (_, kind, object, expected) => {
    if (expected instanceof RegExp) expect(() => serviceSelector(kind, 'web', object)).toThrow(expected);
    else expect(serviceSelector(kind, 'web', object)).toEqual(expected);
  });

  it('builds the Service: the target port defaults to the port', () => {
    expect(exposedService(exposeSpec({ name: 'web', port: '8080' }), 'ns', { app: 'web' })).toEqual({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' },
      spec: { ports: [{ protocol: 'TCP', port: 8080, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' },
    });
  });
});
