import { describe, expect, it } from 'vitest';
import { apiResources, renderApiResources } from './api-resources.js';

describe('api-resources', () => {
  it('lists the core kinds first, then ours by group and name, with short names', () => {
    const rows = apiResources();
    expect(rows[0]).toEqual({ name: 'configmaps', shortNames: ['cm'], apiVersion: 'v1', namespaced: true, kind: 'ConfigMap' });
    expect(rows.find((r) => r.kind === 'VirtualMachine')).toEqual({ name: 'virtualmachines', shortNames: ['vm', 'vms'], apiVersion: 'kubevirt.io/v1', namespaced: true, kind: 'VirtualMachine' });
    expect(rows.find((r) => r.kind === 'Node')?.namespaced).toBe(false);
    const groups = rows.map((r) => (r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : ''));
    expect(groups).toEqual([...groups].sort());
  });

  it.each<[string, { output: 'table' | 'name'; headers: boolean }, string]>([
    ['table', { output: 'table', headers: true }, 'NAME              SHORTNAMES   APIVERSION       NAMESPACED   KIND\npods              po           v1               true         Pod\nvirtualmachines   vm,vms       kubevirt.io/v1   true         VirtualMachine\n'],
    ['no headers', { output: 'table', headers: false }, 'pods              po       v1               true   Pod\nvirtualmachines   vm,vms   kubevirt.io/v1   true   VirtualMachine\n'],
    ['names', { output: 'name', headers: true }, 'pods\nvirtualmachines.kubevirt.io\n'],
  ])('%s', (_name, options, expected) => {
    const rows = apiResources().filter((r) => r.kind === 'Pod' || r.kind === 'VirtualMachine');
    expect(renderApiResources(rows, options)).toBe(expected);
  });
});
