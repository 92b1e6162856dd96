import { describe, expect, it } from 'vitest';
import { newVmi, withContainerDisk, withInterface } from '../../test/builders/vmi.js';
import { TEST_RUN_DIR, testContext } from '../../test/builders/context.js';
import { CONFIGURATORS, convertVmiToDomain } from './index.js';

const ctx = testContext({ volumes: { root: { type: 'file', path: `${TEST_RUN_DIR}/root.qcow2`, format: 'qcow2', backing: { type: 'file', path: '/var/lib/kvt/images/a/disk.img', format: 'raw' } } } });

describe('convertVmiToDomain', () => {
  it.each([
    ['a container disk VMI', newVmi(withContainerDisk('root'))],
    ['a VMI with a pod network', newVmi(withContainerDisk('root'), withInterface({ name: 'default', masquerade: {} }, { pod: {} }))],
  ])('is deterministic and leaves its inputs untouched: %s', (_what, vmi) => {
    const vmiBefore = structuredClone(vmi);
    const ctxBefore = structuredClone(ctx);
    const first = convertVmiToDomain(vmi, ctx);
    expect(convertVmiToDomain(vmi, ctx)).toEqual(first);
    expect(vmi).toEqual(vmiBefore);
    expect(ctx).toEqual(ctxBefore);
  });

  it('runs the unsupported-feature check first and I/O threads after disks and controllers', () => {
    const names = CONFIGURATORS.map((c) => c.name);
    expect(names[0]).toBe('refuseUnsupported');
    expect(names.indexOf('configureIoThreads')).toBeGreaterThan(Math.max(names.indexOf('configureDisks'), names.indexOf('configureControllers')));
    expect(names.indexOf('configureCpu')).toBeGreaterThan(names.indexOf('configureMemory'));
  });
});
