import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import { staticObjectSource, type IsoEntry } from '../volumes/index.js';
import { isoFiles, type IsoStep } from './volumes-iso.js';

function step(entries: IsoEntry[]): IsoStep {
  return { kind: 'iso', field: 'spec.volumes[0].cloudInitNoCloud', path: '/x.iso', volumeId: 'cidata', namespace: 'ns1', entries, fileMode: 0o600, stagingDir: '/x', access: 'read' };
}

const SECRET_FIELD = 'spec.accessCredentials[0].sshPublicKey.source.secret.secretName';

describe('isoFiles: meta-data with the accessCredentials\' keys', () => {
  const objects = staticObjectSource({ secrets: { 'ns1/keys': { stringData: { b: 'ssh-ed25519 BBBB b', a: 'ssh-ed25519 AAAA a' } } } });

  it('reads every key of the Secret into public-keys, in key order', async () => {
    const files = await isoFiles(objects, step([{ type: 'meta-data-keys', path: 'meta-data', kind: 'noCloud', base: 'instance-id: i\n', secrets: [{ secret: 'keys', field: SECRET_FIELD }] }]));
    expect(files.map((f) => [f.path, Buffer.from(f.data).toString('utf8'), f.mode])).toEqual([
      ['meta-data', 'instance-id: i\npublic-keys:\n  "0": "ssh-ed25519 AAAA a"\n  "1": "ssh-ed25519 BBBB b"\n', 0o600],
    ]);
  });

  it('refuses a missing Secret, naming the credential\'s field', async () => {
    const run = isoFiles(objects, step([{ type: 'meta-data-keys', path: 'meta-data', kind: 'noCloud', base: '', secrets: [{ secret: 'nope', field: SECRET_FIELD }] }]));
    await expect(run).rejects.toThrow(ConversionError);
    await expect(run).rejects.toThrow(/accessCredentials\[0\].*Secret "nope" does not exist in namespace ns1/);
  });
});
