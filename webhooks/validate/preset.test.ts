// VirtualMachineInstancePreset admission (shared/design/kubevirt/rules-other-kinds.md C46, C47).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { DomainSpec, VirtualMachineInstancePreset } from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { validatePreset } from './preset.js';

const CTX: AdmissionContext = { cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) };

/** The repository's examples/preset-small.yaml, with the given domain. */
function preset(domain: DomainSpec | undefined): VirtualMachineInstancePreset {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstancePreset', metadata: { name: 'small', namespace: 'default' },
    spec: { selector: { matchLabels: { 'kubevirt.io/flavor': 'small' } }, ...(domain === undefined ? {} : { domain }) },
  };
}

describe('validatePreset', () => {
  it('admits the example preset', () => {
    expect(validatePreset(preset({ cpu: { cores: 1 }, devices: {}, resources: { requests: { memory: '128Mi' } } }), undefined, CTX)).toEqual([]);
  });

  it('C46 a missing domain is denied with only that cause', () => {
    expect(validatePreset(preset(undefined), undefined, CTX)).toEqual([{ type: CauseType.Required, field: 'spec.domain', message: 'missing domain: spec.domain is required' }]);
  });

  it.each([
    ['two disks of one name (B01)', { devices: { disks: [{ name: 'a', disk: {} }, { name: 'a', cdrom: {} }] } }, 'spec.domain.devices.disks[1].name', /"a"/],
    ['a disk with two targets (B02)', { devices: { disks: [{ name: 'a', disk: {}, cdrom: {} }] } }, 'spec.domain.devices.disks[0]', /disk, cdrom|cdrom, disk/],
    ['both EFI and BIOS (A43)', { devices: {}, firmware: { bootloader: { efi: {}, bios: {} } } }, 'spec.domain.firmware.bootloader', /efi and bios/],
    ['kernel args without a kernel (A44)', { devices: {}, firmware: { kernelBoot: { kernelArgs: 'console=ttyS0' } } }, 'spec.domain.firmware.kernelBoot.kernelArgs', /./],
  ])('C47 %s is denied as for a VMI', (_n, domain, field, message) => {
    const causes = validatePreset(preset(domain as DomainSpec), undefined, CTX);
    expect(causes.map((c) => [c.type, c.field])).toContainEqual([CauseType.Invalid, field]);
    expect(causes.find((c) => c.field === field)!.message).toMatch(message);
  });

  it.each([
    ['disks without volumes (a preset has none)', { devices: { disks: [{ name: 'a', disk: { bus: 'virtio' } }, { name: 'b', cdrom: { bus: 'sata' } }] } }],
    ['secure boot without SMM (not a preset rule)', { devices: {}, firmware: { bootloader: { efi: {} } } }],
    ['any other domain content', { devices: { interfaces: [{ name: 'x', masquerade: {} }] }, cpu: { sockets: 2, maxSockets: 1 } }],
  ])('C47 admitted: %s', (_n, domain) => {
    expect(validatePreset(preset(domain as DomainSpec), undefined, CTX)).toEqual([]);
  });
});
