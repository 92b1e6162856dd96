// The contract with the launcher (docs/ARCHITECTURE.md, The launcher): every compute-area value the converter
// refuses with a ConversionError is refused by a compute rule on the same field, so a VMI admission
// accepts never fails conversion; and the hostile-values VMI, which converts, passes every rule.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { ConversionError } from '../../../core/errors.js';
import { path } from '../../../core/field-path.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import { convertVmiToDomain } from '../../../launcher/converter/index.js';
import { HOSTILE, hostileContext, hostileVmi } from '../../../test/builders/hostile.js';
import { withDevices, withDomain, withName, type VmiOption } from '../../../test/builders/vmi.js';
import { COMPUTE_VALIDATORS } from './index.js';

const causesOf = (vmi: VirtualMachineInstance) => COMPUTE_VALIDATORS.flatMap((validate) => validate(vmi.spec, path('spec'), {
  cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance',
}));

function conversionField(vmi: VirtualMachineInstance): string | undefined {
  try {
    convertVmiToDomain(vmi, hostileContext());
  } catch (e: unknown) {
    if (e instanceof ConversionError) return e.field;
    throw e;
  }
  return undefined;
}

/** Edits the hostile VMI after its defaults (the converter sees admitted objects). */
const edit = (f: (vmi: VirtualMachineInstance) => void): VmiOption => (v) => f(v);
const firmware = (f: (fw: NonNullable<VirtualMachineInstance['spec']['domain']['firmware']>) => void): VmiOption => edit((v) => { f(v.spec.domain.firmware ?? {}); });

const CASES: readonly [string, string, VmiOption][] = [
  ['AX27', 'metadata.name', withName('a/b', 'default')],
  ['AX27', 'metadata.namespace', withName('vm', 'team/a')],
  ['AX22', 'spec.domain.firmware.kernelBoot.kernelArgs', firmware((fw) => { if (fw.kernelBoot) fw.kernelBoot.kernelArgs = 'a\nb'; })],
  ['AX20', 'spec.domain.firmware.serial', firmware((fw) => { fw.serial = 'sn\u0007'; })],
  ['AX19', 'spec.domain.firmware.uuid', firmware((fw) => { fw.uuid = 'no-uuid'; })],
  ['AX21', 'spec.domain.chassis.asset', withDomain({ chassis: { asset: 'a\u0001' } })],
  ['AX15', 'spec.domain.clock.timezone', withDomain({ clock: { timezone: `Europe/${HOSTILE}` } })],
  ['AX16', 'spec.domain.clock.timer.pit.tickPolicy', withDomain({ clock: { utc: {}, timer: { pit: { tickPolicy: 'slew' } } } })],
  ['AX17', 'spec.domain.clock.timer.rtc.track', withDomain({ clock: { utc: {}, timer: { rtc: { track: 'host' } } } })],
  ['AX12', 'spec.domain.cpu.model', edit((v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, model: `Sky${HOSTILE}` }; })],
  ['AX13', 'spec.domain.cpu.features[0].name', edit((v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, features: [{ name: 'avx 2' }] }; })],
  ['AX14', 'spec.domain.machine.type', withDomain({ machine: { type: 'q35 evil' } })],
  ['AX18', 'spec.domain.features.hyperv.vendorid.vendorid', edit((v) => { v.spec.domain.features = { ...v.spec.domain.features, hyperv: { vendorid: { enabled: true, vendorid: 'thirteen-char' } } }; })],
  ['AX24', 'spec.domain.rebootPolicy', withDomain({ rebootPolicy: 'Restart' })],
  ['AX07', 'spec.domain.ioThreadsPolicy', withDomain({ ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: 2 } })],
  ['AX26', 'spec.domain.memory.maxGuest', edit((v) => { v.spec.domain.memory = { ...v.spec.domain.memory, maxGuest: '100Mi' }; })],
  ['AX01', 'spec.domain.cpu.dedicatedCpuPlacement', edit((v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, dedicatedCpuPlacement: true }; })],
  ['AX02', 'spec.domain.cpu.realtime', edit((v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, realtime: {} }; })],
  ['AX03', 'spec.domain.cpu.numa.guestMappingPassthrough', edit((v) => { v.spec.domain.cpu = { ...v.spec.domain.cpu, numa: { guestMappingPassthrough: {} } }; })],
  ['AX04', 'spec.domain.launchSecurity', withDomain({ launchSecurity: { sev: {} } })],
  ['AX05', 'spec.domain.firmware.acpi', firmware((fw) => { fw.acpi = { slicNameRef: 'slic' }; })],
  ['AX08', 'spec.domain.devices.hostDevices', withDevices({ hostDevices: [{ name: 'h', deviceName: 'vendor.com/dev' }] })],
  ['AX09', 'spec.domain.devices.autoattachVSOCK', withDevices({ autoattachVSOCK: true })],
  ['AX10', 'spec.domain.devices.panicDevices', withDevices({ panicDevices: [{ model: 'pvpanic' }] })],
  ['A51', 'spec.domain.devices.inputs[0].type', withDevices({ inputs: [{ name: 'in', type: 'mouse' as 'tablet' }] })],
  ['A67', 'spec.domain.devices.video.type', withDevices({ autoattachGraphicsDevice: true, video: { type: 'qxl' as 'vga' } })],
  ['A68', 'spec.domain.devices.watchdog', withDevices({ watchdog: { name: 'wd', diag288: {} } })],
];

describe('compute rules and the converter', () => {
  it('the hostile-values VMI converts and passes every compute rule', () => {
    const vmi = hostileVmi();
    expect(conversionField(vmi)).toBeUndefined();
    expect(causesOf(vmi)).toEqual([]);
  });

  it.each(CASES)('%s refuses what the converter refuses on %s', (_id, field, option) => {
    const vmi = hostileVmi(option);
    expect(conversionField(vmi)).toBe(field);
    expect(causesOf(vmi).map((c) => c.field)).toContain(field);
  });
});
