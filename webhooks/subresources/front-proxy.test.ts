import { describe, expect, it } from 'vitest';
import { frontProxyNameAllowed, frontProxyUser, parseFrontProxyConfig, type FrontProxyConfig } from './front-proxy.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
// What kube-apiserver publishes with --requestheader-* flags (lists as JSON).
const DATA = {
  'client-ca-file': CA,
  'requestheader-client-ca-file': CA,
  'requestheader-allowed-names': '["front-proxy-client"]',
  'requestheader-username-headers': '["X-Remote-User"]',
  'requestheader-group-headers': '["X-Remote-Group"]',
  'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
};

describe('parseFrontProxyConfig', () => {
  it('reads the API server\'s settings, header names lower-cased', () => {
    expect(parseFrontProxyConfig(DATA)).toEqual({
      clientCaPem: CA, allowedNames: ['front-proxy-client'], usernameHeaders: ['x-remote-user'], groupHeaders: ['x-remote-group'], extraHeaderPrefixes: ['x-remote-extra-'],
    });
  });

  it.each([
    [undefined, /no requestheader-client-ca-file/],
    [{ 'client-ca-file': CA }, /aggregation layer is not configured/],
    [{ ...DATA, 'requestheader-client-ca-file': 'not a PEM' }, /no requestheader-client-ca-file/],
    [{ ...DATA, 'requestheader-allowed-names': 'front-proxy-client' }, /requestheader-allowed-names is not a JSON list/],
    [{ ...DATA, 'requestheader-group-headers': '[1]' }, /requestheader-group-headers is not a JSON list of strings/],
  ])('refuses %j', (data, problem) => {
    expect(parseFrontProxyConfig(data)).toMatch(problem);
  });

  it('takes missing lists as empty (any name the CA signed may proxy)', () => {
    const config = parseFrontProxyConfig({ 'requestheader-client-ca-file': CA }) as FrontProxyConfig;
    expect(config.allowedNames).toEqual([]);
    expect(frontProxyNameAllowed(config, 'anyone')).toBe(true);
  });
});

describe('frontProxyUser', () => {
  const config = parseFrontProxyConfig({ ...DATA, 'requestheader-username-headers': '["X-Remote-User","X-User"]' }) as FrontProxyConfig;

  it.each([
    ['no user header', { 'x-remote-group': ['g'] }, undefined],
    ['an empty user header', { 'x-remote-user': [''] }, undefined],
    ['the first named header wins', { 'x-user': ['second'], 'x-remote-user': ['first'] }, { username: 'first', groups: [] }],
    ['the next header when the first is absent', { 'x-user': ['second'] }, { username: 'second', groups: [] }],
    ['every group value', { 'x-remote-user': ['jane'], 'x-remote-group': ['a', 'b'] }, { username: 'jane', groups: ['a', 'b'] }],
    ['extras with unescaped, lower-cased keys', { 'x-remote-user': ['jane'], 'x-remote-extra-scopes': ['x', 'y'], 'x-remote-extra-example.org%2fkey': ['v'] },
      { username: 'jane', groups: [], extra: { scopes: ['x', 'y'], 'example.org/key': ['v'] } }],
    ['a bare prefix is no extra', { 'x-remote-user': ['jane'], 'x-remote-extra-': ['v'] }, { username: 'jane', groups: [] }],
  ])('%s', (_what, headers, user) => {
    expect(frontProxyUser(config, headers)).toEqual(user);
  });

  it('lets only the allowed names proxy', () => {
    expect([frontProxyNameAllowed(config, 'front-proxy-client'), frontProxyNameAllowed(config, 'kubelet'), frontProxyNameAllowed(config, undefined)]).toEqual([true, false, false]);
  });
});
