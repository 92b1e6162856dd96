// clusterConfig: the context a cluster command uses and the namespace it acts in (-n, else the
// context's, else default), read from a real kubeconfig file; no server is contacted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterConfig, clusterTarget } from './cluster-target.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: 'https://127.0.0.1:6443' }
users:
- name: u
  user: { token: t }
contexts:
- name: plain
  context: { cluster: c, user: u }
- name: team
  context: { cluster: c, user: u, namespace: team-ns }
current-context: plain
`;

describe('clusterConfig', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvt-kubeconfig-'));
    file = join(dir, 'config');
    await writeFile(file, KUBECONFIG, { mode: 0o600 });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it.each([
    ['the current context without a namespace: default', {}, 'plain', 'default'],
    ['--context with a namespace: the context\'s', { context: 'team' }, 'team', 'team-ns'],
    ['-n wins over the context\'s', { context: 'team', namespace: 'mine' }, 'team', 'mine'],
    ['-n with the current context', { namespace: 'mine' }, 'plain', 'mine'],
  ])('%s', async (_what, values, context, namespace) => {
    const target = await clusterConfig({ kubeconfig: file, ...values });
    expect(target.config.getCurrentContext()).toBe(context);
    expect(target.namespace).toBe(namespace);
  });

  it('refuses a context the file does not have, naming it and the file', async () => {
    await expect(clusterConfig({ kubeconfig: file, context: 'nope' })).rejects.toThrow(`context "nope" is not in ${file}`);
  });

  it('clusterTarget: none without --kubeconfig, --context alone refused, else the context\'s namespace', async () => {
    expect(await clusterTarget({})).toBeUndefined();
    await expect(clusterTarget({ context: 'team' })).rejects.toThrow('--context needs --kubeconfig');
    expect((await clusterTarget({ kubeconfig: file, context: 'team' }))?.namespace).toBe('team-ns');
  });
});
