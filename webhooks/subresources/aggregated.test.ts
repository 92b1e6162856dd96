import { describe, expect, it } from 'vitest';
import { accessAllowed, accessReviewOf, API_RESOURCE_LIST, forbiddenMessage, routeAggregated, startOptions } from './aggregated.js';

const V1 = '/apis/subresources.kubevirt.io/v1';

describe('routeAggregated', () => {
  it.each([
    ['GET', '/healthz', { kind: 'not-aggregated' }],
    ['POST', '/virtualmachineinstances-mutate', { kind: 'not-aggregated' }],
    ['GET', '/apisx', { kind: 'not-aggregated' }],
    ['GET', V1, { kind: 'discovery', body: API_RESOURCE_LIST }],
    ['PUT', `${V1}/namespaces/default/virtualmachines/demo/start`, { kind: 'call', request: { resource: 'virtualmachines', namespace: 'default', name: 'demo', subresource: 'start' } }],
    ['PUT', `${V1}/namespaces/ns-1/virtualmachines/a.b/restart`, { kind: 'call', request: { resource: 'virtualmachines', namespace: 'ns-1', name: 'a.b', subresource: 'restart' } }],
    ['PUT', `${V1}/namespaces/default/virtualmachineinstances/demo/unpause`, { kind: 'call', request: { resource: 'virtualmachineinstances', namespace: 'default', name: 'demo', subresource: 'unpause' } }],
    ['GET', `${V1}/namespaces/default/virtualmachineinstances/demo/console`, { kind: 'console', request: { resource: 'virtualmachineinstances', namespace: 'default', name: 'demo', subresource: 'console' } }],
    ['GET', `${V1}/namespaces/default/virtualmachineinstances/web/portforward/8080`, { kind: 'portforward', request: { resource: 'virtualmachineinstances', namespace: 'default', name: 'web', subresource: 'portforward', port: 8080, protocol: 'tcp' } }],
    ['GET', `${V1}/namespaces/ns-1/virtualmachineinstances/web/portforward/22/tcp`, { kind: 'portforward', request: { resource: 'virtualmachineinstances', namespace: 'ns-1', name: 'web', subresource: 'portforward', port: 22, protocol: 'tcp' } }],
    ['GET', `${V1}/namespaces/default/virtualmachines/web/portforward/65535`, { kind: 'portforward', request: { resource: 'virtualmachines', namespace: 'default', name: 'web', subresource: 'portforward', port: 65535, protocol: 'tcp' } }],
  ])('%s %s', (method, path, route) => {
    expect(routeAggregated(method, path)).toEqual(route);
  });

  it.each([
    ['GET', `${V1}/namespaces/default/virtualmachines/demo/start`, 405, 'PUT'],
    ['PUT', `${V1}/namespaces/default/virtualmachineinstances/demo/console`, 405, 'GET'],
    ['POST', V1, 405, 'GET'],
    ['PUT', `${V1}/namespaces/default/virtualmachines/demo/pause`, 404, undefined],
    ['PUT', `${V1}/namespaces/default/virtualmachineinstances/demo/start`, 404, undefined],
    ['PUT', `${V1}/namespaces/default/pods/demo/start`, 404, undefined],
    ['PUT', `${V1}/namespaces/default/virtualmachines/demo/start/extra`, 404, undefined],
    ['GET', '/apis/other.group/v1', 404, undefined],
    ['PUT', `${V1}/namespaces/Default/virtualmachines/demo/start`, 400, undefined],
    ['PUT', `${V1}/namespaces/default/virtualmachines/%2e%2e/start`, 400, undefined],
    ['PUT', `${V1}/namespaces/default/virtualmachineinstances/web/portforward/22`, 405, 'GET'],
    ['GET', `${V1}/namespaces/default/virtualmachineinstances/web/portforward`, 404, undefined],
    ['GET', `${V1}/namespaces/default/virtualmachineinstances/web/portforward/22/tcp/x`, 404, undefined],
  ])('%s %s is refused with %i', (method, path, status, allow) => {
    const route = routeAggregated(method, path);
    expect(route.kind).toBe('refused');
    if (route.kind === 'refused') expect([route.refusal.status, route.refusal.allow]).toEqual([status, allow]);
  });

  it.each([
    ['0', undefined, 'port "0" must be a number in 1-65535'],
    ['65536', undefined, 'port "65536" must be a number in 1-65535'],
    ['http', undefined, 'port "http" must be a number in 1-65535'],
    ['-1', undefined, 'port "-1" must be a number in 1-65535'],
    ['22', 'udp', 'protocol "udp" is not forwarded; only tcp'],
    ['22', 'TCP', 'protocol "TCP" is not forwarded; only tcp'],
    ['22', 'sctp', 'protocol "sctp" is not forwarded; only tcp'],
  ])('portforward/%s/%s is a 400 naming the bad word', (port, protocol, message) => {
    const route = routeAggregated('GET', `${V1}/namespaces/default/virtualmachineinstances/web/portforward/${port}${protocol === undefined ? '' : `/${protocol}`}`);
    expect(route).toMatchObject({ kind: 'refused', refusal: { status: 400, reason: 'BadRequest' } });
    if (route.kind === 'refused') expect(route.refusal.message).toContain(message);
  });

  it('answers every discovery path the aggregator and kubectl read', () => {
    expect(routeAggregated('GET', '/apis')).toMatchObject({ kind: 'discovery', body: { kind: 'APIGroupList', groups: [{ name: 'subresources.kubevirt.io' }] } });
    expect(routeAggregated('GET', '/apis/subresources.kubevirt.io')).toMatchObject({ kind: 'discovery', body: { kind: 'APIGroup', preferredVersion: { groupVersion: 'subresources.kubevirt.io/v1' } } });
    expect(API_RESOURCE_LIST.resources.map((r) => `${r.name} ${r.verbs.join(',')}`)).toEqual([
      'virtualmachines/start update', 'virtualmachines/stop update', 'virtualmachines/restart update',
      'virtualmachineinstances/pause update', 'virtualmachineinstances/unpause update', 'virtualmachineinstances/console get',
      'virtualmachineinstances/portforward get', 'virtualmachines/portforward get',
    ]);
  });
});

describe('startOptions', () => {
  it.each([
    [undefined, { paused: false }],
    [{}, { paused: false }],
    [{ kind: 'StartOptions', apiVersion: 'subresources.kubevirt.io/v1', paused: true }, { paused: true }],
    [{ paused: 'yes' }, 'StartOptions.paused must be true or false'],
    [[true], 'the body of start must be a StartOptions object'],
    ['paused', 'the body of start must be a StartOptions object'],
  ])('%j → %j', (body, expected) => {
    expect(startOptions(body)).toEqual(expected);
  });
});

describe('the SubjectAccessReview of a call', () => {
  const jane = { username: 'jane', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a', 'b'] } };

  it.each([
    [{ resource: 'virtualmachines', namespace: 'ns', name: 'vm', subresource: 'stop' } as const, 'update'],
    [{ resource: 'virtualmachineinstances', namespace: 'ns', name: 'vm', subresource: 'pause' } as const, 'update'],
    [{ resource: 'virtualmachineinstances', namespace: 'ns', name: 'vm', subresource: 'console' } as const, 'get'],
    [{ resource: 'virtualmachineinstances', namespace: 'ns', name: 'vm', subresource: 'portforward', port: 22, protocol: 'tcp' } as const, 'get'],
    [{ resource: 'virtualmachines', namespace: 'ns', name: 'vm', subresource: 'portforward', port: 22, protocol: 'tcp' } as const, 'get'],
  ])('asks %j with verb %s', (call, verb) => {
    expect(accessReviewOf(jane, call)).toEqual({
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
      spec: {
        user: 'jane', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a', 'b'] },
        resourceAttributes: { namespace: 'ns', verb, group: 'subresources.kubevirt.io', version: 'v1', resource: call.resource, subresource: call.subresource, name: 'vm' },
      },
    });
  });

  it.each([
    [{ status: { allowed: true } }, { allowed: true, reason: '' }],
    [{ status: { allowed: false, reason: 'no RBAC policy matched' } }, { allowed: false, reason: 'no RBAC policy matched' }],
    [{ status: { allowed: 'true' } }, { allowed: false, reason: '' }],
    [{}, { allowed: false, reason: '' }],
    [null, { allowed: false, reason: '' }],
  ])('reads %j as %j', (review, expected) => {
    expect(accessAllowed(review)).toEqual(expected);
  });

  it('words a refusal as the API server does', () => {
    expect(forbiddenMessage(jane, { resource: 'virtualmachines', namespace: 'ns', name: 'vm', subresource: 'start' }, '')).toBe(
      'virtualmachines.subresources.kubevirt.io "vm" is forbidden: User "jane" cannot update resource "virtualmachines/start" in API group "subresources.kubevirt.io" in the namespace "ns"',
    );
  });
});
