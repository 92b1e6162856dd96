import { describe, expect, it } from 'vitest';
import { parseSubresourceRequest, subresourcePath } from './request.js';

const pause = { resource: 'virtualmachineinstances', namespace: 'default', name: 'v', subresource: 'pause' } as const;
const start = { resource: 'virtualmachines', namespace: 'prod', name: 'web', subresource: 'start' } as const;

describe('parseSubresourceRequest', () => {
  it.each<[string, unknown, unknown]>([
    ['a VMI pause', pause, pause],
    ['a VMI unpause', { ...pause, subresource: 'unpause' }, { ...pause, subresource: 'unpause' }],
    ['a VM start', start, start],
    ['a paused VM start', { ...start, paused: true }, { ...start, paused: true }],
    ['a VM start with paused false (the default)', { ...start, paused: false }, start],
    ['a VM stop', { ...start, subresource: 'stop' }, { ...start, subresource: 'stop' }],
    ['a VM restart', { ...start, subresource: 'restart' }, { ...start, subresource: 'restart' }],
  ])('accepts %s', (_name, value, expected) => {
    expect(parseSubresourceRequest(value)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'a subresource request must be a JSON object'],
    ['an array', [pause], 'a subresource request must be a JSON object'],
    ['an unknown resource', { ...pause, resource: 'pods' }, '"resource" must be one of virtualmachineinstances, virtualmachines'],
    ['no resource', { ...pause, resource: undefined }, '"resource" must be one of virtualmachineinstances, virtualmachines'],
    ['a VM subresource on a VMI', { ...pause, subresource: 'start' }, '"subresource" of virtualmachineinstances must be one of pause, unpause'],
    ['a VMI subresource on a VM', { ...start, subresource: 'pause' }, '"subresource" of virtualmachines must be one of start, stop, restart'],
    ['an empty namespace', { ...pause, namespace: '' }, '"namespace" must be a non-empty string'],
    ['a numeric name', { ...pause, name: 7 }, '"name" must be a non-empty string'],
    ['an unknown field', { ...pause, dryRun: ['All'] }, 'unknown field "dryRun"'],
    ['paused as a string', { ...start, paused: 'true' }, '"paused" must be true or false'],
    ['paused on a stop', { ...start, subresource: 'stop', paused: true }, '"paused" is an option of start only'],
    ['paused on a VMI', { ...pause, paused: true }, '"paused" is an option of start only'],
  ])('refuses %s', (_name, value, why) => {
    expect(parseSubresourceRequest(value)).toBe(why);
  });
});

describe('subresourcePath', () => {
  it('is KubeVirt\'s API path of the call', () => {
    expect(subresourcePath(pause)).toBe('/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/v/pause');
    expect(subresourcePath(start)).toBe('/apis/subresources.kubevirt.io/v1/namespaces/prod/virtualmachines/web/start');
  });
});
