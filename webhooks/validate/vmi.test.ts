import { describe, expect, it } from 'vitest';
import { path } from '../../core/field-path.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { newVmi, withContainerDisk, withMemory } from '../../test/builders/vmi.js';
import { testContext } from '../../test/fixtures/admission/context.js';
import { validateVmiCreate } from './vmi.js';
import { validateVmiSpec } from './vmi-spec.js';

function raw(spec: unknown, metadata: unknown = { name: 'v' }): VirtualMachineInstance {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata, spec } as VirtualMachineInstance;
}

describe('validateVmiCreate', () => {
  it('admits an admitted VMI', () => {
    expect(validateVmiCreate(newVmi(withMemory('1Gi'), withContainerDisk('root')), testContext())).toEqual([]);
  });

  it.each<[string, VirtualMachineInstance, { type: string; field: string; message: RegExp }[]]>([
    ['a missing spec', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' } } as VirtualMachineInstance,
      [{ type: 'FieldValueRequired', field: 'spec', message: /^Required value$/ }]],
    ['a missing domain', raw({}), [{ type: 'FieldValueRequired', field: 'spec.domain', message: /^Required value$/ }]],
    ['a bad quantity and an unsupported bus, all reported', raw({ domain: { devices: { disks: [{ name: 'd', disk: { bus: 'floppy' } }] }, memory: { guest: '12x' } } }), [
      { type: 'FieldValueInvalid', field: 'spec.domain.devices.disks[0].disk.bus', message: /^Unsupported value: "floppy"/ },
      { type: 'FieldValueInvalid', field: 'spec.domain.memory.guest', message: /must match quantity format/ },
    ]],
    ['a wrong type', raw({ domain: { devices: {}, cpu: { cores: 'two' } } }), [{ type: 'FieldValueInvalid', field: 'spec.domain.cpu.cores', message: /must be integer/ }]],
  ])('refuses %s on the schema path, before any spec rule runs', (_name, vmi, causes) => {
    const found = validateVmiCreate(vmi, testContext());
    expect(found).toHaveLength(causes.length);
    causes.forEach((c, i) => expect(found[i]).toMatchObject({ type: c.type, field: c.field, message: expect.stringMatching(c.message) }));
  });

  it('runs the spec rules on the path `spec` with the VMI origin and its metadata', () => {
    const vmi = newVmi(withMemory('1Gi'));
    const ctx = testContext();
    expect(validateVmiCreate(vmi, ctx)).toEqual(
      validateVmiSpec(vmi.spec, path('spec'), { cfg: ctx.cfg, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' }),
    );
  });
});
