import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import { forwardAddressOf, handlerPortForwardPath, parseForwardPort, parseHandlerPortForwardPath } from './port-forward.js';

describe('parseForwardPort', () => {
  it.each([
    ['22', undefined, { port: 22, protocol: 'tcp' }],
    ['65535', 'tcp', { port: 65535, protocol: 'tcp' }],
    ['1', undefined, { port: 1, protocol: 'tcp' }],
    ['0', undefined, 'port "0" must be a number in 1-65535'],
    ['65536', 'tcp', 'port "65536" must be a number in 1-65535'],
    ['080080', undefined, 'port "080080" must be a number in 1-65535'],
    ['1e3', undefined, 'port "1e3" must be a number in 1-65535'],
    ['', undefined, 'port "" must be a number in 1-65535'],
    ['22', 'udp', 'protocol "udp" is not forwarded; only tcp'],
    ['22', '', 'protocol "" is not forwarded; only tcp'],
  ])('%j %j → %j', (port, protocol, want) => {
    expect(parseForwardPort(port, protocol)).toEqual(want);
  });
});

describe('the handler path of a forward', () => {
  it('round-trips', () => {
    const call = { namespace: 'ns-1', name: 'web.a', port: 8080, protocol: 'tcp' } as const;
    expect(handlerPortForwardPath(call)).toBe('/v1/namespaces/ns-1/virtualmachineinstances/web.a/portforward/8080/tcp');
    expect(parseHandlerPortForwardPath(handlerPortForwardPath(call))).toEqual(call);
  });

  it.each([
    '/v1/namespaces/ns/virtualmachineinstances/web/portforward/8080',
    '/v1/namespaces/ns/virtualmachineinstances/web/portforward/0/tcp',
    '/v1/namespaces/ns/virtualmachineinstances/web/portforward/22/udp',
    '/v1/namespaces/NS/virtualmachineinstances/web/portforward/22/tcp',
    '/v1/namespaces/ns/virtualmachineinstances/%2e%2e/portforward/22/tcp',
    '/v1/namespaces/ns/virtualmachineinstances/web/console',
  ])('%s names no forward', (path) => {
    expect(parseHandlerPortForwardPath(path)).toBeUndefined();
  });
});

describe('forwardAddressOf', () => {
  const vmi = (interfaces: NonNullable<VirtualMachineInstance['status']>['interfaces']): VirtualMachineInstance =>
    ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web' }, spec: { domain: { devices: {} } }, status: { interfaces } }) as VirtualMachineInstance;

  it.each([
    ['the pod-network interface (the launcher pod\'s IP)', [{ name: 'default', ipAddress: '10.244.0.7', podInterfaceName: 'eth0' }], '10.244.0.7'],
    ['the pod interface, not an agent-only one listed first', [{ interfaceName: 'docker0', ipAddress: '172.17.0.1' }, { name: 'default', ipAddress: '10.244.0.7', podInterfaceName: 'eth0' }], '10.244.0.7'],
    ['else the first interface\'s', [{ name: 'default', ipAddress: '10.244.0.8' }], '10.244.0.8'],
    ['none without an address', [{ name: 'default', ipAddress: '' }], undefined],
    ['none without interfaces', undefined, undefined],
  ])('%s', (_what, interfaces, want) => {
    expect(forwardAddressOf(vmi(interfaces))).toBe(want);
  });
});
