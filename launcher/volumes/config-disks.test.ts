import { describe, expect, it } from 'vitest';
import type { DownwardAPIVolumeFile, VirtualMachineInstance } from '../../crd-gen/index.js';
import { formatMap, goQuote } from './downward-api.js';
import { configMapData, secretData, staticObjectSource } from './objects.js';
import { planVolumes } from './plan.js';
import type { VolumePlanFacts } from './types.js';

const FACTS: VolumePlanFacts = { vmiDir: '/run/kvt/x', volumeStore: '/v', hostDiskRoots: [], images: {} };

function downwardVmi(fields: DownwardAPIVolumeFile[]): VirtualMachineInstance {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'testvmi', namespace: 'ns1', uid: 'uid-1', labels: { b: '2', a: 'x"y' }, annotations: { note: 'line1\nline2\t\\' } },
    spec: { domain: { devices: { disks: [{ name: 'd', disk: {} }] } }, volumes: [{ name: 'd', downwardAPI: { fields } }] },
  } as VirtualMachineInstance;
}

function downwardFiles(fields: DownwardAPIVolumeFile[]): Record<string, [string, number | undefined]> {
  const step = planVolumes(downwardVmi(fields), FACTS).steps[0];
  if (step?.kind !== 'iso') throw new Error('expected an iso step');
  return Object.fromEntries(step.entries.map((e) => (e.type === 'data' ? [e.path, [Buffer.from(e.data).toString('utf8'), e.mode]] : ['?', ['', 0]])));
}

describe('downwardAPI values', () => {
  it.each<[string, string, string]>([
    ['metadata.name', 'name', 'testvmi'],
    ['metadata.namespace', 'ns', 'ns1'],
    ['metadata.uid', 'uid', 'uid-1'],
    ['metadata.labels', 'labels', 'a="x\\"y"\nb="2"'],
    ['metadata.annotations', 'annotations', 'note="line1\\nline2\\t\\\\"'],
    ["metadata.labels['b']", 'b', '2'],
    ["metadata.annotations['note']", 'note', 'line1\nline2\t\\'],
    ["metadata.labels['missing']", 'missing', ''],
  ])('%s', (fieldPath, path, value) => {
    expect(downwardFiles([{ path, fieldRef: { fieldPath } }])).toEqual({ [path]: [value, 0o644] });
  });

  it('keeps nested paths and modes', () => {
    expect(downwardFiles([{ path: 'meta/./name', mode: 0o400, fieldRef: { fieldPath: 'metadata.name' } }])).toEqual({ 'meta/name': ['testvmi', 0o400] });
  });

  it('quotes as Go does', () => {
    expect(goQuote('plain')).toBe('"plain"');
    expect(goQuote('a"b\\c\n\x01\x7f')).toBe('"a\\"b\\\\c\\n\\x01\\x7f"');
    expect(goQuote('ünï')).toBe('"ünï"');
    expect(formatMap(undefined)).toBe('');
    expect(formatMap({ z: '1', a: '2' })).toBe('a="2"\nz="1"');
  });
});

describe('objects', () => {
  it('decodes Secrets (data base64, stringData wins) and ConfigMaps (data text, binaryData base64)', () => {
    const s = secretData({ data: { a: Buffer.from('from-data').toString('base64'), b: Buffer.from('old').toString('base64') }, stringData: { b: 'new' } });
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ a: 'from-data', b: 'new' });
    const cm = configMapData({ data: { t: 'text' }, binaryData: { bin: Buffer.from([0, 255]).toString('base64') } });
    expect(Buffer.from(cm['t'] ?? []).toString()).toBe('text');
    expect(Buffer.from(cm['bin'] ?? [])).toEqual(Buffer.from([0, 255]));
  });

  it('serves fixed objects by namespace/name, and nothing else', async () => {
    const source = staticObjectSource({
      secrets: { 'ns1/s': { stringData: { userdata: 'u' } } },
      configMaps: { 'ns1/c': { data: { k: 'v' } } },
      serviceAccounts: { 'ns1/default': { token: 't' } },
    });
    expect(Buffer.from((await source.getSecret('ns1', 's'))?.['userdata'] ?? []).toString()).toBe('u');
    expect(await source.getSecret('ns2', 's')).toBeUndefined();
    expect(await source.getSecret('ns1', 'toString')).toBeUndefined();
    expect(Object.keys((await source.getConfigMap('ns1', 'c')) ?? {})).toEqual(['k']);
    expect(await source.getConfigMap('ns1', 's')).toBeUndefined();
    expect(await source.serviceAccountToken('ns1', 'default')).toEqual({ token: 't' });
    expect(await source.serviceAccountToken('ns1', 'other')).toBeUndefined();
  });
});
