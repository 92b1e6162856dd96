/** Manifest texts → admission lookups (the lookups themselves are admission-lookups.ts's, tested there). */
import { describe, expect, it } from 'vitest';
import { indexObjects, ObjectManifestError, parseObjectTexts } from './object-index.js';

const PRESETS = `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstancePreset
metadata: { name: small }
spec: { selector: { matchLabels: { flavor: small } } }
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstancePreset
metadata: { name: large, namespace: prod }
spec: { selector: { matchLabels: { flavor: large } } }
`;

const MORE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'cluster-csmall' }, spec: { cpu: { guest: 1 }, memory: { guest: '128Mi' } } },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'disk', labels: { 'instancetype.kubevirt.io/default-instancetype': 'csmall' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } },
  ],
});

describe('parseObjectTexts and indexObjects', () => {
  const index = indexObjects(parseObjectTexts([{ source: 'presets.yaml', text: PRESETS }, { source: 'more.json', text: MORE }, { source: 'empty.yaml', text: '---\n' }]));

  it('finds the objects of every document and list, YAML or JSON', () => {
    expect(index.lookups.presets('default').map((p) => p.metadata?.name)).toEqual(['small']);
    expect(index.lookups.presets('prod').map((p) => p.metadata?.name)).toEqual(['large']);
    expect(index.lookups.clusterInstancetype('cluster-csmall')?.spec.cpu.guest).toBe(1);
    expect(index.lookups.volumeLabels('default', 'PersistentVolumeClaim', 'disk')).toEqual({ 'instancetype.kubevirt.io/default-instancetype': 'csmall' });
    expect(index.lookups.volumeLabels('default', 'PersistentVolumeClaim', 'nope')).toBeUndefined();
  });

  it('counts the objects by kind, empty documents left out', () => {
    expect(index.counts).toEqual({ VirtualMachineInstancePreset: 2, VirtualMachineClusterInstancetype: 1, PersistentVolumeClaim: 1, ConfigMap: 1 });
  });

  it('refuses an unparsable document, naming its file and position', () => {
    expect(() => parseObjectTexts([{ source: 'bad.yaml', text: 'a: 1\n---\nb: [\n' }])).toThrow(ObjectManifestError);
    expect(() => parseObjectTexts([{ source: 'bad.yaml', text: 'a: 1\n---\nb: [\n' }])).toThrow(/^bad\.yaml: document 2: /);
  });
});
