import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRegistryMirrors } from '../images/registry-ref.js';
import { dockerConfigCredentials, dockerConfigFiles, exportRegistryMirrors, loadRegistryMirrors, mirrorsFile, registryCredentials } from './registry-config.js';

describe('registry settings on this machine', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-registry-config-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('mirrors come from the data dir\'s file, then the environment (which wins)', async () => {
    expect([...(await loadRegistryMirrors(work, {}))]).toEqual([]);
    await writeFile(mirrorsFile(work), '# mirrors\nquay.io=http://127.0.0.1:5000\nregistry:5000=http://localhost:5001\n');
    const env: NodeJS.ProcessEnv = {};
    exportRegistryMirrors(['quay.io=http://[::1]:5002'], env);
    expect(env['KVT_REGISTRY_MIRRORS']).toBe('quay.io=http://[::1]:5002');
    expect([...(await loadRegistryMirrors(work, env))]).toEqual([['quay.io', 'http://[::1]:5002'], ['registry:5000', 'http://localhost:5001']]);
    expect(() => { exportRegistryMirrors(['quay.io=http://10.0.0.1'], env); }).toThrow(/plain http is allowed only to localhost/);
  });

  it('credentials: $REGISTRY_AUTH_FILE first, then $DOCKER_CONFIG/config.json (or ~/.docker/config.json)', async () => {
    const auth = (user: string): string => JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from(`${user}:pw`).toString('base64') } } });
    await mkdir(join(work, 'docker'));
    await writeFile(join(work, 'docker/config.json'), auth('docker'));
    await writeFile(join(work, 'auth.json'), auth('containers'));
    const env = { DOCKER_CONFIG: join(work, 'docker'), HOME: join(work, 'home') };
    expect(dockerConfigFiles({ HOME: '/home/u' })).toEqual(['/home/u/.docker/config.json']);
    expect(await dockerConfigCredentials('quay.io', env)).toEqual({ username: 'docker', password: 'pw' });
    expect(await dockerConfigCredentials('quay.io', { ...env, REGISTRY_AUTH_FILE: join(work, 'auth.json') })).toEqual({ username: 'containers', password: 'pw' });
    expect(await dockerConfigCredentials('ghcr.io', env)).toBeUndefined();
    expect(await dockerConfigCredentials('quay.io', { HOME: join(work, 'nobody') })).toBeUndefined();
  });

  describe('registryCredentials: per host (the registry, then its mirror), the given configs in order, then the user\'s files', () => {
    const config = (entries: Record<string, string>): string => JSON.stringify({ auths: Object.fromEntries(Object.entries(entries).map(([host, user]) => [host, { auth: Buffer.from(`${user}:pw`).toString('base64') }])) });
    const mirrors = parseRegistryMirrors(['quay.io=http://127.0.0.1:5000']);
    it.each([
      ['nothing anywhere: anonymous', [], true, undefined, undefined],
      ['the user\'s file alone', [], true, { 'quay.io': 'user' }, 'user'],
      ['a given config before the user\'s file', [config({ 'quay.io': 'secret' })], true, { 'quay.io': 'user' }, 'secret'],
      ['the first given config holding the host', [config({ 'ghcr.io': 'other' }), config({ 'quay.io': 'second' }), config({ 'quay.io': 'third' })], true, undefined, 'second'],
      ['the registry\'s login in the user\'s file before a config\'s login for the mirror', [config({ '127.0.0.1:5000': 'mirror' })], true, { 'quay.io': 'user' }, 'user'],
      ['a config\'s login for the mirror when the registry has none', [config({ '127.0.0.1:5000': 'mirror' })], true, undefined, 'mirror'],
      ['the user\'s file left out', [], false, { 'quay.io': 'user' }, undefined],
    ])('%s', async (_, configs, userConfig, userFile, want) => {
      const env = { DOCKER_CONFIG: join(work, 'docker'), HOME: join(work, 'home') };
      await mkdir(join(work, 'docker'));
      if (userFile !== undefined) await writeFile(join(work, 'docker/config.json'), config(userFile));
      const found = await registryCredentials('quay.io', mirrors, { configs, userConfig, env });
      expect(found).toEqual(want === undefined ? undefined : { username: want, password: 'pw' });
    });
  });
});
