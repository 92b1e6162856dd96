import { describe, expect, it } from 'vitest';
import { endpointIps, hostPortsValue, serviceListeners, type PodLike, type ServiceLike } from './host-ports.js';

const svc = (name: string, ports: NonNullable<ServiceLike['spec']>['ports'], selector: Record<string, string> = { app: 'web' }): ServiceLike => ({ metadata: { name, namespace: 'ns' }, spec: { selector, ports } });

describe('serviceListeners: one host port per TCP Service port', () => {
  it.each<[string, ServiceLike[], string[], string[]]>([
    ['target port defaults to the port', [svc('a', [{ port: 80 }])], ['ns/a/80 ->80 @0'], []],
    ['a numbered target and a node port', [svc('a', [{ port: 5555, targetPort: 22, nodePort: 30001 }])], ['ns/a/5555 ->22 @30001'], []],
    ['two ports', [svc('a', [{ port: 80 }, { port: 443, targetPort: 8443 }])], ['ns/a/80 ->80 @0', 'ns/a/443 ->8443 @0'], []],
    ['UDP is not served', [svc('a', [{ port: 53, protocol: 'UDP' }])], [], ['Service ns/a port 53: only TCP is served on the host']],
    ['a named target port is not resolved', [svc('a', [{ port: 80, targetPort: 'http' }])], [], ['Service ns/a port 80: a named target port (http) is not resolved in the local mode']],
    ['no selector, no endpoints', [svc('a', [{ port: 80 }], {})], [], ['Service ns/a port 80: no selector']],
  ])('%s', (_, services, expected, skipped) => {
    const plan = serviceListeners(services);
    expect(plan.listeners.map((l) => `${l.key} ->${l.targetPort} @${l.hostPort}`)).toEqual(expected);
    expect(plan.skipped).toEqual(skipped);
  });
});

describe('endpointIps: Running pods of the namespace the selector matches', () => {
  const pod = (ip: string, labels: Record<string, string>, phase = 'Running', namespace = 'ns', deleting = false): PodLike => ({
    metadata: { namespace, labels, ...(deleting ? { deletionTimestamp: 'x' } : {}) }, status: { phase, podIP: ip },
  });
  it.each<[string, PodLike[], string[]]>([
    ['a match', [pod('10.0.0.1', { app: 'web', x: 'y' })], ['10.0.0.1']],
    ['every selector label must match', [pod('10.0.0.1', { app: 'db' })], []],
    ['other namespaces do not count', [pod('10.0.0.1', { app: 'web' }, 'Running', 'other')], []],
    ['pending and deleting pods do not count', [pod('10.0.0.1', { app: 'web' }, 'Pending'), pod('10.0.0.2', { app: 'web' }, 'Running', 'ns', true), pod('10.0.0.3', { app: 'web' })], ['10.0.0.3']],
    ['a pod without an IP does not count', [pod('', { app: 'web' })], []],
  ])('%s', (_, pods, expected) => {
    expect(endpointIps(pods, 'ns', { app: 'web' })).toEqual(expected);
  });
});

it('hostPortsValue: PORT:HOSTPORT by port', () => {
  expect(hostPortsValue([{ port: 443, hostPort: 40002 }, { port: 80, hostPort: 40001 }])).toBe('80:40001,443:40002');
  expect(hostPortsValue([])).toBe('');
});
