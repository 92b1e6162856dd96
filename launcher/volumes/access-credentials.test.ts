import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { keySecrets, metaDataEntry, metaDataWithKeys, publicKeysOf, type CloudInitKind } from './access-credentials.js';
import { planVolumes } from './plan.js';
import type { IsoEntry, VolumePlanFacts } from './types.js';

const UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';
const FACTS: VolumePlanFacts = { vmiDir: '/run/kvt/x', volumeStore: '/var/lib/kvt/volumes', hostDiskRoots: [], images: {} };
type Credential = NonNullable<VirtualMachineInstance['spec']['accessCredentials']>[number];

function ssh(secretName: string, method: object): Credential {
  return { sshPublicKey: { source: { secret: { secretName } }, propagationMethod: method } } as Credential;
}

function vmi(credentials: Credential[], volume: 'cloudInitNoCloud' | 'cloudInitConfigDrive' = 'cloudInitNoCloud'): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'testvmi', namespace: 'ns1' },
    spec: {
      domain: { devices: { disks: [{ name: 'ci', disk: {} }] }, firmware: { uuid: UUID } },
      accessCredentials: credentials,
      volumes: [{ name: 'ci', [volume]: { userData: '#cloud-config\n' } }],
    },
  } as VirtualMachineInstance;
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

describe('keySecrets: the Secrets of one propagation method, in spec order', () => {
  it.each<[string, Credential[], CloudInitKind, string[]]>([
    ['none', [], 'noCloud', []],
    ['noCloud only', [ssh('a', { noCloud: {} }), ssh('b', { configDrive: {} }), ssh('c', { noCloud: {} })], 'noCloud', ['a@0', 'c@2']],
    ['configDrive only', [ssh('a', { noCloud: {} }), ssh('b', { configDrive: {} })], 'configDrive', ['b@1']],
    ['the guest agent method is not a cloud-init one', [ssh('a', { qemuGuestAgent: { users: ['root'] } })], 'noCloud', []],
    ['a password credential is skipped', [{ userPassword: { source: { secret: { secretName: 'p' } }, propagationMethod: { qemuGuestAgent: {} } } } as Credential], 'noCloud', []],
  ])('%s', (_, credentials, kind, expected) => {
    expect(keySecrets(vmi(credentials), kind).map((s) => `${s.secret}@${/\[(\d+)\]/.exec(s.field)?.[1] ?? '?'}`)).toEqual(expected);
    for (const s of keySecrets(vmi(credentials), kind)) expect(s.field).toMatch(/^spec\.accessCredentials\[\d+\]\.sshPublicKey\.source\.secret\.secretName$/);
  });
});

describe('publicKeysOf: every key of each Secret, by key name, empty ones skipped', () => {
  it.each<[string, Record<string, string>[], string[]]>([
    ['no Secret', [], []],
    ['one key', [{ key: 'ssh-ed25519 AAAA a@b' }], ['ssh-ed25519 AAAA a@b']],
    ['sorted by name within a Secret, Secrets in order', [{ z: 'k3', a: 'k2' }, { m: 'k4' }], ['k2', 'k3', 'k4']],
    ['empty values skipped', [{ a: '', b: 'k' }], ['k']],
    ['text kept as it is (a trailing newline too)', [{ key: 'ssh-rsa AAAA x\n' }], ['ssh-rsa AAAA x\n']],
  ])('%s', (_, secrets, expected) => {
    expect(publicKeysOf(secrets.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, bytes(v)]))))).toEqual(expected);
  });
});

describe('metaDataWithKeys: KubeVirt\'s public-keys (NoCloud) and public_keys (ConfigDrive)', () => {
  const noCloudBase = `instance-id: ${UUID}\nlocal-hostname: testvmi\n`;
  const configDriveBase = `${JSON.stringify({ instance_id: 'testvmi.ns1', uuid: UUID, hostname: 'testvmi', name: 'testvmi' })}\n`;
  it.each<[string, CloudInitKind, string, string[], string]>([
    ['no keys: NoCloud unchanged', 'noCloud', noCloudBase, [], noCloudBase],
    ['no keys: ConfigDrive unchanged', 'configDrive', configDriveBase, [], configDriveBase],
    ['NoCloud: a numbered map of JSON strings', 'noCloud', noCloudBase, ['ssh-ed25519 AAAA a@b', 'ssh-rsa B "q"\n'],
      `${noCloudBase}public-keys:\n  "0": "ssh-ed25519 AAAA a@b"\n  "1": "ssh-rsa B \\"q\\"\\n"\n`],
    ['NoCloud base without a final newline', 'noCloud', 'instance-id: x', ['k'], 'instance-id: x\npublic-keys:\n  "0": "k"\n'],
    ['ConfigDrive: public_keys in the JSON object', 'configDrive', configDriveBase, ['k0', 'k1'],
      `${JSON.stringify({ instance_id: 'testvmi.ns1', uuid: UUID, hostname: 'testvmi', name: 'testvmi', public_keys: { 0: 'k0', 1: 'k1' } })}\n`],
  ])('%s', (_, kind, base, keys, expected) => {
    expect(metaDataWithKeys(kind, base, keys)).toBe(expected);
  });
});

describe('planning: the meta-data entry of the cloud-init disk', () => {
  function metaEntry(input: VirtualMachineInstance): IsoEntry | undefined {
    const step = planVolumes(input, FACTS).steps[0];
    if (step?.kind !== 'iso') throw new Error('expected an iso step');
    return step.entries.find((e) => 'path' in e && /meta[-_]data/.test(e.path));
  }

  it.each<[string, VirtualMachineInstance, string]>([
    ['no credential: plain bytes', vmi([]), 'data meta-data'],
    ['a configDrive credential does not touch a NoCloud disk', vmi([ssh('k', { configDrive: {} })]), 'data meta-data'],
    ['a noCloud credential: the Secret feeds meta-data', vmi([ssh('k', { noCloud: {} })]), 'meta-data-keys meta-data noCloud k'],
    ['a configDrive credential on a ConfigDrive disk', vmi([ssh('k', { configDrive: {} })], 'cloudInitConfigDrive'), 'meta-data-keys openstack/latest/meta_data.json configDrive k'],
  ])('%s', (_, input, expected) => {
    const entry = metaEntry(input);
    const described = entry?.type === 'meta-data-keys'
      ? `${entry.type} ${entry.path} ${entry.kind} ${entry.secrets.map((s) => s.secret).join(',')}`
      : `${entry?.type ?? 'none'} ${entry !== undefined && 'path' in entry ? entry.path : ''}`;
    expect(described).toBe(expected);
  });

  it('keeps the base meta-data it was given', () => {
    const entry = metaDataEntry(vmi([ssh('k', { noCloud: {} })]), 'noCloud', 'meta-data', 'instance-id: i\n');
    expect(entry).toMatchObject({ type: 'meta-data-keys', base: 'instance-id: i\n', secrets: [{ secret: 'k', field: 'spec.accessCredentials[0].sshPublicKey.source.secret.secretName' }] });
  });
});
