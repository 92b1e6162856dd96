import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerConfigCredentials, dockerConfigFiles, exportRegistryMirrors, loadRegistryMirrors, mirrorsFile } from './registry-config.js';

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
});
