import { describe, expect, it } from 'vitest';
import { credentialHosts, isLoopbackHost, manifestReference, parseRegistryMirrors, parseRegistryRef, registryEndpoint, RegistryRefError } from './registry-ref.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseRegistryRef', () => {
  it.each([
    ['quay.io/kubevirt/cirros-container-disk-demo', 'quay.io', 'kubevirt/cirros-container-disk-demo', 'latest', undefined],
    ['registry:5000/kubevirt/cirros-container-disk-demo:devel', 'registry:5000', 'kubevirt/cirros-container-disk-demo', 'devel', undefined],
    ['index.docker.io/kubevirt/cirros-container-disk-demo:mybuild', 'docker.io', 'kubevirt/cirros-container-disk-demo', 'mybuild', undefined],
    ['alpine', 'docker.io', 'library/alpine', 'latest', undefined],
    ['kubevirt/fedora:41', 'docker.io', 'kubevirt/fedora', '41', undefined],
    ['localhost/demo-guest', 'localhost', 'demo-guest', 'latest', undefined],
    [`127.0.0.1:5000/kubevirt/demo@${D}`, '127.0.0.1:5000', 'kubevirt/demo', undefined, D],
    [`127.0.0.1:5000/kubevirt/demo:1@${D}`, '127.0.0.1:5000', 'kubevirt/demo', undefined, D],
  ])('%s', (ref, registry, repository, tag, digest) => {
    const parsed = parseRegistryRef(ref);
    expect(parsed).toMatchObject({ registry, repository });
    expect(parsed.tag).toBe(tag);
    expect(parsed.digest).toBe(digest);
    expect(manifestReference(parsed)).toBe(digest ?? tag);
  });

  it('refuses a malformed reference', () => {
    expect(() => parseRegistryRef('../x')).toThrow(RegistryRefError);
  });
});

describe('registry endpoints and mirrors', () => {
  it.each([
    ['localhost', true], ['localhost:5000', true], ['127.0.0.1:5000', true], ['127.1.2.3', true], ['[::1]:5000', true], ['[::1]', true],
    ['quay.io', false], ['127.0.0.1.example.com', false], ['registry:5000', false], ['[::2]:5000', false],
  ])('loopback %s: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it.each([
    ['quay.io', {}, 'https://quay.io'],
    ['docker.io', {}, 'https://registry-1.docker.io'],
    ['127.0.0.1:5000', {}, 'http://127.0.0.1:5000'],
    ['registry:5000', {}, 'https://registry:5000'],
    ['quay.io', { 'quay.io': 'http://127.0.0.1:5000' }, 'http://127.0.0.1:5000'],
  ])('%s with %j → %s', (registry, mirrors, url) => {
    expect(registryEndpoint(registry, new Map(Object.entries(mirrors))).baseUrl).toBe(url);
  });

  it.each([
    ['quay.io', {}, ['quay.io']],
    ['quay.io', { 'quay.io': 'http://127.0.0.1:5000' }, ['quay.io', '127.0.0.1:5000']],
    ['docker.io', { 'docker.io': 'https://mirror.example' }, ['docker.io', 'mirror.example']],
    ['quay.io', { 'docker.io': 'https://mirror.example' }, ['quay.io']],
    ['127.0.0.1:5000', { 'quay.io': 'http://[::1]:5002' }, ['127.0.0.1:5000']],
  ])('credentials of %s with %j are looked up under %j', (registry, mirrors, hosts) => {
    expect(credentialHosts(registry, new Map(Object.entries(mirrors)))).toEqual(hosts);
  });

  it('parses mirror options, later wins, Docker Hub aliases folded', () => {
    const mirrors = parseRegistryMirrors(['quay.io=http://127.0.0.1:5000/, registry:5000=http://localhost:5001', '# comment\nindex.docker.io=https://mirror.example:443', 'quay.io=http://[::1]:5002']);
    expect([...mirrors]).toEqual([['quay.io', 'http://[::1]:5002'], ['registry:5000', 'http://localhost:5001'], ['docker.io', 'https://mirror.example']]);
  });

  it.each([
    ['quay.io', /must be HOST=URL/],
    ['=http://127.0.0.1', /must be HOST=URL/],
    ['quay io=http://127.0.0.1', /is not a registry host/],
    ['quay.io=127.0.0.1:5000', /not a URL/],
    ['quay.io=ftp://127.0.0.1', /must be http/],
    ['quay.io=http://10.0.0.1:5000', /plain http is allowed only to localhost/],
    ['quay.io=https://u:p@mirror.example', /scheme, host and port only/],
    ['quay.io=https://mirror.example/v2', /scheme, host and port only/],
  ])('refuses %j', (item, reason) => {
    expect(() => parseRegistryMirrors([item])).toThrow(reason);
  });
});
