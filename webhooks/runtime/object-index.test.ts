/** Admission lookups over manifest objects. */
import { describe, expect, it } from 'vitest';
import { indexObjects, ObjectManifestError, parseObjectTexts } from './object-index.js';

const MANIFESTS = `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstancePreset
metadata: { name: small }
spec: { selector: { matchLabels: { flavor: small } } }
---
apiVersion: kubevirt.io/v1alpha3
kind: VirtualMachineInstancePreset
metadata: { name: large, namespace: prod }
spec: { selector: { matchLabels: { flavor: large } } }
---
apiVersion: instancetype.kubevirt.io/v1beta1
kind: VirtualMachineInstancetype
metadata: { name: csmall, namespace: default }
spec: { cpu: { guest: 1 }, memory: { guest: 128Mi } }
---
apiVersion: instancetype.kubevirt.io/v1beta1
kind: VirtualMachineClusterInstancetype
metadata: { name: cluster-csmall, namespace: ignored }
spec: { cpu: { guest: 1 }, memory: { guest: 128Mi } }
---
apiVersion: instancetype.kubevirt.io/v1beta1
kind: VirtualMachinePreference
metadata: { name: virtio, namespace: dev }
spec: {}
---
apiVersion: instancetype.kubevirt.io/v1beta1
kind: VirtualMachineClusterPreference
metadata: { name: windows }
spec: {}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata: { name: disk, labels: { instancetype.kubevirt.io/default-instancetype: csmall, weird: 3 } }
- apiVersion: cdi.kubevirt.io/v1beta1
  kind: DataVolume
  metadata: { name: dv, namespace: dev, labels: { a: b } }
- apiVersion: cdi.kubevirt.io/v1beta1
  kind: DataSource
  metadata: { name: fedora, namespace: os-images }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: other }
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstancePreset
metadata: { namespace: default }
`;

describe('indexObjects', () => {
  const index = indexObjects(parseObjectTexts([{ source: 'objects.yaml', text: MANIFESTS }]));
  const { lookups } = index;

  it('finds presets by namespace, a missing namespace being default', () => {
    expect(lookups.presets('default').map((p) => p.metadata?.name)).toEqual(['small']);
    expect(lookups.presets('prod').map((p) => p.metadata?.name)).toEqual(['large']);
    expect(lookups.presets('elsewhere')).toEqual([]);
  });

  it('finds instancetypes and preferences, namespaced and cluster-wide', () => {
    expect(lookups.instancetype('default', 'csmall')?.spec.cpu.guest).toBe(1);
    expect(lookups.instancetype('dev', 'csmall')).toBeUndefined();
    expect(lookups.clusterInstancetype('cluster-csmall')?.metadata?.name).toBe('cluster-csmall');
    expect(lookups.preference('dev', 'virtio')?.metadata?.name).toBe('virtio');
    expect(lookups.clusterPreference('windows')?.metadata?.name).toBe('windows');
    expect(lookups.clusterPreference('virtio')).toBeUndefined();
  });

  it('gives the string labels of volumes, {} for one without labels, undefined for none', () => {
    expect(lookups.volumeLabels('default', 'PersistentVolumeClaim', 'disk')).toEqual({ 'instancetype.kubevirt.io/default-instancetype': 'csmall' });
    expect(lookups.volumeLabels('dev', 'DataVolume', 'dv')).toEqual({ a: 'b' });
    expect(lookups.volumeLabels('os-images', 'DataSource', 'fedora')).toEqual({});
    expect(lookups.volumeLabels('default', 'DataVolume', 'disk')).toBeUndefined();
  });

  it('counts what it took and what it skipped', () => {
    expect(index.counts).toEqual({
      VirtualMachineInstancePreset: 2, VirtualMachineInstancetype: 1, VirtualMachineClusterInstancetype: 1, VirtualMachinePreference: 1,
      VirtualMachineClusterPreference: 1, PersistentVolumeClaim: 1, DataVolume: 1, DataSource: 1,
    });
    expect(index.skipped).toBe(2);
  });

  it('lets a later object replace an earlier one of the same name', () => {
    const a = { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: 'p', labels: { v: '1' } } };
    const b = { ...a, metadata: { name: 'p', labels: { v: '2' } } };
    expect(indexObjects([a, b]).lookups.clusterPreference('p')?.metadata?.labels).toEqual({ v: '2' });
  });

  it('refuses an unparsable document, naming its file and position', () => {
    expect(() => parseObjectTexts([{ source: 'bad.yaml', text: 'a: 1\n---\nb: [\n' }])).toThrow(ObjectManifestError);
    expect(() => parseObjectTexts([{ source: 'bad.yaml', text: 'a: 1\n---\nb: [\n' }])).toThrow(/^bad\.yaml: document 2: /);
  });
});
