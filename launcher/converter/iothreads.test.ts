import { describe, expect, it } from 'vitest';
import type { Disk as VmiDisk, DomainSpec } from '../../crd-gen/index.js';
import { newVmi, withDisk, withDomain } from '../../test/builders/vmi.js';
import { rawFile, testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureControllers } from './controllers.js';
import { configureDisks } from './disks.js';
import { configureIoThreads } from './iothreads.js';

function threads(disks: VmiDisk[], domain: Partial<DomainSpec> = {}) {
  const vmi = newVmi(withDomain(domain), ...disks.map((d) => withDisk(d, { persistentVolumeClaim: { claimName: d.name } })));
  const ctx = testContext({ volumes: Object.fromEntries(disks.map((d) => [d.name, rawFile(d.name)])) });
  const d = [configureDisks, configureControllers, configureIoThreads].reduce((acc, f) => f(vmi, ctx, acc), emptyDomain());
  return { iothreads: d.iothreads, perDisk: d.devices.disks.map((x) => x.driver?.iothread), scsi: d.devices.controllers.find((c) => c.type === 'scsi')?.driver };
}

const v = (name: string, dedicatedIOThread?: boolean): VmiDisk => ({ name, disk: { bus: 'virtio' }, ...(dedicatedIOThread ? { dedicatedIOThread } : {}) });

describe('configureIoThreads', () => {
  it.each([
    ['no policy, no dedicated disk: none', [v('a'), v('b')], {}, { iothreads: undefined, perDisk: [undefined, undefined], scsi: undefined }],
    ['shared: every virtio disk on thread 1', [v('a'), v('b')], { ioThreadsPolicy: 'shared' }, { iothreads: 1, perDisk: [1, 1], scsi: undefined }],
    ['a dedicated disk gets a thread after the shared one', [v('a'), v('b', true), v('c')], {}, { iothreads: 2, perDisk: [1, 2, 1], scsi: undefined }],
    ['auto: a pool of 2 × CPUs, round-robin', [v('a'), v('b'), v('c')], { ioThreadsPolicy: 'auto', resources: { requests: { cpu: '1', memory: '256Mi' } } }, { iothreads: 2, perDisk: [1, 2, 1], scsi: undefined }],
    ['sata disks take no thread', [v('a'), { name: 's', disk: { bus: 'sata' } }], { ioThreadsPolicy: 'shared' }, { iothreads: 1, perDisk: [1, undefined], scsi: undefined }],
    // KubeVirt hands the controller the next shared thread, not a dedicated one.
    ['a dedicated SCSI disk gives the controller the next shared thread', [{ name: 's', disk: { bus: 'scsi' }, dedicatedIOThread: true }, v('a')], {}, { iothreads: 2, perDisk: [undefined, 1], scsi: { iothread: 1, queues: 1 } }],
  ] as const)('%s', (_what, disks, domain, expected) => {
    expect(threads([...disks] as VmiDisk[], domain as Partial<DomainSpec>)).toEqual(expected);
  });

  it('refuses the supplemental pool', () => {
    expect(() => threads([v('a')], { ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: 2 } })).toThrow('spec.domain.ioThreadsPolicy: supplementalPool is not supported');
  });
});
