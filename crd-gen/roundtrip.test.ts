/**
 * Round trip of the generators: a sample object of every kind, typed with the generated types,
 * passes the generated validator, synthesizes through the generated cdk8s L1 class unchanged, and
 * the synthesized manifest passes the validator again.
 */
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import * as l1 from '../synth/imports/kubevirt.js';
import { createSchemaValidator, loadSchema } from './crds.js';
import {
  KINDS, type KindName, type VirtualMachine, type VirtualMachineClusterInstancetype,
  type VirtualMachineClusterPreference, type VirtualMachineInstance, type VirtualMachineInstancePreset,
  type VirtualMachineInstanceReplicaSet, type VirtualMachineInstancetype, type VirtualMachinePreference,
  type VirtualMachineInstanceSpec,
} from './index.js';

const vmiSpec: VirtualMachineInstanceSpec = {
  domain: {
    cpu: { cores: 2, sockets: 1, threads: 1 },
    memory: { guest: '256Mi' },
    resources: { requests: { memory: '256Mi' } },
    devices: {
      disks: [{ name: 'root', disk: { bus: 'virtio' }, bootOrder: 1 }, { name: 'cidata', cdrom: { bus: 'sata' } }],
      interfaces: [{ name: 'default', masquerade: {} }],
    },
  },
  networks: [{ name: 'default', pod: {} }],
  volumes: [
    { name: 'root', containerDisk: { image: 'localhost/demo-guest:latest' } },
    { name: 'cidata', cloudInitNoCloud: { userData: '#!/bin/sh\necho hi\n' } },
  ],
};

const samples = {
  VirtualMachineInstance: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'vmi' }, spec: vmiSpec } satisfies VirtualMachineInstance,
  VirtualMachine: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' }, spec: { runStrategy: 'Always', template: { metadata: { labels: { app: 'a' } }, spec: vmiSpec } } } satisfies VirtualMachine,
  VirtualMachineInstanceReplicaSet: {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: 'rs' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: vmiSpec } },
  } satisfies VirtualMachineInstanceReplicaSet,
  VirtualMachineInstancePreset: {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'small' },
    spec: { selector: { matchLabels: { 'kubevirt.io/flavor': 'small' } }, domain: { cpu: { cores: 1 }, devices: {}, resources: { requests: { memory: '128Mi' } } } },
  } satisfies VirtualMachineInstancePreset,
  VirtualMachineInstancetype: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'it' }, spec: { cpu: { guest: 1 }, memory: { guest: '128Mi' } } } satisfies VirtualMachineInstancetype,
  VirtualMachineClusterInstancetype: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'cit' }, spec: { cpu: { guest: 2 }, memory: { guest: '1Gi' } } } satisfies VirtualMachineClusterInstancetype,
  VirtualMachinePreference: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: { name: 'p' }, spec: { devices: { preferredDiskBus: 'virtio' } } } satisfies VirtualMachinePreference,
  VirtualMachineClusterPreference: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: 'cp' }, spec: { firmware: { preferredUseEfi: true } } } satisfies VirtualMachineClusterPreference,
} as const;

const validator = createSchemaValidator(loadSchema);

describe('generator round trip', () => {
  it('has a sample for every kind', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(KINDS).sort());
  });

  it.each(Object.entries(samples))('%s: typed sample → valid → synthesized unchanged → valid', (kind, sample) => {
    expect(validator.validate(kind as KindName, sample)).toEqual({ errors: [], warnings: [] });
    const chart = Testing.chart();
    const Cls = l1[kind as keyof typeof l1] as unknown as new (scope: unknown, id: string, props: object) => unknown;
    new Cls(chart, 'Resource', { metadata: sample.metadata, spec: sample.spec });
    const [out] = Testing.synth(chart) as Record<string, unknown>[];
    expect(out).toEqual(sample);
    expect(validator.validate(kind as KindName, out).errors).toEqual([]);
  });

  it('builds plain manifests with the static manifest() of each L1 class', () => {
    expect(l1.VirtualMachine.manifest({ metadata: { name: 'vm' }, spec: samples.VirtualMachine.spec })).toEqual(samples.VirtualMachine);
  });
});
