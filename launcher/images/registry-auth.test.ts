import { describe, expect, it } from 'vitest';
import { configKeyHost, credentialsFor, parseChallenge, tokenUrl } from './registry-auth.js';

describe('parseChallenge', () => {
  it.each([
    ['Basic realm="basic-realm"', { scheme: 'basic', realm: 'basic-realm' }],
    ['basic', { scheme: 'basic' }],
    ['Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"', { scheme: 'bearer', realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' }],
    ['Bearer realm=https://auth.example/token, service="x\\"y"', { scheme: 'bearer', realm: 'https://auth.example/token', service: 'x"y' }],
    ['Bearer service="x"', undefined],
    ['Negotiate abc', undefined],
    [null, undefined],
  ])('%j', (header, challenge) => {
    expect(parseChallenge(header)).toEqual(challenge);
  });

  it('builds the token URL with service and the pull scope', () => {
    expect(tokenUrl({ scheme: 'bearer', realm: 'https://auth.example/token?x=1', service: 's' }, 'kubevirt/demo'))
      .toBe('https://auth.example/token?x=1&service=s&scope=repository%3Akubevirt%2Fdemo%3Apull');
  });
});

describe('credentialsFor', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const config = JSON.stringify({ auths: {
    'https://index.docker.io/v1/': { auth: b64('hub:pw') },
    'quay.io': { username: 'q', password: 'p:w' },
    '127.0.0.1:5000': { auth: b64('local:se:cret') },
    'ghcr.io': { identitytoken: 'tok' },
  } });

  it.each([
    ['docker.io', { username: 'hub', password: 'pw' }],
    ['quay.io', { username: 'q', password: 'p:w' }],
    ['127.0.0.1:5000', { username: 'local', password: 'se:cret' }],
    ['ghcr.io', { username: '<token>', password: 'tok' }],
    ['registry:5000', undefined],
  ])('%s', (registry, creds) => {
    expect(credentialsFor(config, registry)).toEqual(creds);
  });

  it('reads the legacy bare map and ignores what is not a config', () => {
    expect(credentialsFor(JSON.stringify({ 'quay.io': { auth: b64('a:b') } }), 'quay.io')).toEqual({ username: 'a', password: 'b' });
    expect(credentialsFor('not json', 'quay.io')).toBeUndefined();
    expect(credentialsFor('null', 'quay.io')).toBeUndefined();
  });

  it.each([['https://quay.io/v2/', 'quay.io'], ['Registry-1.Docker.io', 'docker.io'], ['localhost:5000', 'localhost:5000']])('config key %s names %s', (key, host) => {
    expect(configKeyHost(key)).toBe(host);
  });
});
