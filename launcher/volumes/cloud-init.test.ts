import { describe, expect, it } from 'vitest';
import type { CloudInitNoCloudSource, VirtualMachineInstance } from '../../crd-gen/index.js';
import { guestHostname } from './cloud-init.js';
import { planVolumes } from './plan.js';
import type { IsoEntry, PrepareStep, VolumePlanFacts } from './types.js';

const UUID = '5d307ca9-b3ef-428c-8861-06e72d69f223';
const FACTS: VolumePlanFacts = { vmiDir: '/run/kvt/x', volumeStore: '/var/lib/kvt/volumes', hostDiskRoots: [], images: {} };

function vmi(kind: 'cloudInitNoCloud' | 'cloudInitConfigDrive', source: CloudInitNoCloudSource, spec: { hostname?: string; name?: string } = {}): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: spec.name ?? 'testvmi', namespace: 'ns1' },
    spec: {
      domain: { devices: { disks: [{ name: 'ci', disk: {} }] }, firmware: { uuid: UUID } },
      ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }),
      volumes: [{ name: 'ci', [kind]: source }],
    },
  } as VirtualMachineInstance;
}

function entries(input: VirtualMachineInstance): readonly IsoEntry[] {
  const step: PrepareStep | undefined = planVolumes(input, FACTS).steps[0];
  if (step?.kind !== 'iso') throw new Error('expected an iso step');
  return step.entries;
}

/** Each entry as path → text (data) or a description of where it comes from. */
function layout(input: VirtualMachineInstance): Record<string, string> {
  return Object.fromEntries(entries(input).map((e) => {
    if (e.type === 'data') return [e.path, Buffer.from(e.data).toString('utf8')];
    if (e.type === 'secret-key') return [e.path, `secret ${e.secret} ${e.keys.join('|')} @${e.field}`];
    return ['?', e.type];
  }));
}

const HOSTILE = `#!/bin/sh\necho '"<>&' ]]> $(rm -rf /) \`id\`\n`;

describe('cloudInitNoCloud contents', () => {
  it.each<[string, CloudInitNoCloudSource, Record<string, string>]>([
    ['inline user data', { userData: HOSTILE },
      { 'user-data': HOSTILE, 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['base64 user data', { userDataBase64: Buffer.from(HOSTILE).toString('base64') },
      { 'user-data': HOSTILE, 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['base64 with line breaks', { userDataBase64: 'aGVs\nbG8=' },
      { 'user-data': 'hello', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['user data from a Secret', { secretRef: { name: 'my-ud' } },
      { 'user-data': 'secret my-ud userdata|userData @spec.volumes[0].cloudInitNoCloud.secretRef', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['the Secret wins over inline data', { secretRef: { name: 'my-ud' }, userData: 'ignored' },
      { 'user-data': 'secret my-ud userdata|userData @spec.volumes[0].cloudInitNoCloud.secretRef', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['inline wins over base64', { userData: 'inline', userDataBase64: 'YmFzZTY0' },
      { 'user-data': 'inline', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n` }],
    ['inline network data', { userData: 'u', networkData: 'version: 2\n' },
      { 'user-data': 'u', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n`, 'network-config': 'version: 2\n' }],
    ['base64 network data only: an empty user-data', { networkDataBase64: Buffer.from('version: 1\n').toString('base64') },
      { 'user-data': '', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n`, 'network-config': 'version: 1\n' }],
    ['network data from a Secret', { userData: 'u', networkDataSecretRef: { name: 'nd' } },
      { 'user-data': 'u', 'meta-data': `instance-id: ${UUID}\nlocal-hostname: testvmi\n`, 'network-config': 'secret nd networkdata|networkData @spec.volumes[0].cloudInitNoCloud.networkDataSecretRef' }],
  ])('%s', (_, source, expected) => {
    expect(layout(vmi('cloudInitNoCloud', source))).toEqual(expected);
  });

  it('keeps user data as bytes (gzip or anything else base64 carries)', () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x80]);
    const [user] = entries(vmi('cloudInitNoCloud', { userDataBase64: bytes.toString('base64') }));
    expect(user?.type === 'data' ? Buffer.from(user.data) : undefined).toEqual(bytes);
  });

  it('uses spec.hostname as local-hostname', () => {
    expect(layout(vmi('cloudInitNoCloud', { userData: 'u' }, { hostname: 'web-1' }))['meta-data']).toBe(`instance-id: ${UUID}\nlocal-hostname: web-1\n`);
  });
});

describe('cloudInitConfigDrive contents', () => {
  it('lays out openstack/latest with meta_data.json', () => {
    const files = layout(vmi('cloudInitConfigDrive', { userData: HOSTILE, networkData: '{"links":[]}' }));
    expect(Object.keys(files)).toEqual(['openstack/latest/user_data', 'openstack/latest/meta_data.json', 'openstack/latest/network_data.json']);
    expect(files['openstack/latest/user_data']).toBe(HOSTILE);
    expect(JSON.parse(files['openstack/latest/meta_data.json'] ?? '')).toEqual({ instance_id: 'testvmi.ns1', uuid: UUID, hostname: 'testvmi', name: 'testvmi' });
    expect(files['openstack/latest/network_data.json']).toBe('{"links":[]}');
  });

  it('reads a Secret for user data with the same keys as NoCloud', () => {
    const files = layout(vmi('cloudInitConfigDrive', { secretRef: { name: 's' } }));
    expect(files['openstack/latest/user_data']).toBe('secret s userdata|userData @spec.volumes[0].cloudInitConfigDrive.secretRef');
    expect(files['openstack/latest/network_data.json']).toBeUndefined();
  });
});

describe('guestHostname', () => {
  it.each([
    [{ name: 'testvmi' }, 'testvmi'],
    [{ name: 'my.vmi.name' }, 'my'],
    [{ name: 'a'.repeat(70) }, 'a'.repeat(63)],
    [{ name: 'testvmi', hostname: 'custom' }, 'custom'],
  ])('%j → %s', (spec, expected) => {
    expect(guestHostname(vmi('cloudInitNoCloud', { userData: 'u' }, spec))).toBe(expected);
  });
});
