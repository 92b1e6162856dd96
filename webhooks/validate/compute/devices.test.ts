// Rules A50–A61 of shared/design/kubevirt/rules-compute.md: inputs, vGPU ramfb displays, sound,
// video and panic devices (A53, A56 and A59 are refused as not supported, see unsupported.test.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { Devices, GPU, Input, PanicDevice, SoundDevice, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDevices, withSpec, type VmiOption } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';
import { validateInputs, validateOtherDevices } from './devices.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (validate: SpecValidator, vmi: VirtualMachineInstance) => validate(vmi.spec, path('spec'), ctx(vmi));
const devices = (d: Partial<Devices>, ...more: VmiOption[]) => newVmi(withDevices(d), ...more);
const input = (bus: string, type: string): Input => ({ name: 'tablet1', bus: bus as Input['bus'], type: type as Input['type'] });
const gpu = (name: string, display: NonNullable<GPU['virtualGPUOptions']>['display']): GPU => ({ name, deviceName: 'nvidia.com/GRID', virtualGPUOptions: { display } });
const sound = (s: Partial<SoundDevice>): SoundDevice => ({ name: 'audio', ...s } as SoundDevice);
const panic = (model: string): PanicDevice => ({ model: model as PanicDevice['model'] });
const D = 'spec.domain.devices';

const DENIED = [
  { id: 'A50', what: 'a ps2 input bus', validate: validateInputs, vmi: devices({ inputs: [input('ps2', 'tablet')] }), field: `${D}.inputs[0].bus`, names: '"ps2"' },
  { id: 'A51', what: 'a mouse input', validate: validateInputs, vmi: devices({ inputs: [input('usb', 'mouse')] }), field: `${D}.inputs[0].type`, names: '"mouse"' },
  { id: 'A52', what: 'two GPUs with ramfb displays', validate: validateOtherDevices, vmi: devices({ gpus: [gpu('gpu1', {}), gpu('gpu2', { enabled: true, ramFB: { enabled: true } })] }), field: `${D}.gpus`, names: '"gpu1", "gpu2"' },
  { id: 'A54', what: 'an unknown sound model', validate: validateOtherDevices, vmi: devices({ sound: sound({ model: 'sb16' as SoundDevice['model'] }) }), field: `${D}.sound.model`, names: '"sb16"' },
  { id: 'A55', what: 'a sound device without a name', validate: validateOtherDevices, vmi: devices({ sound: sound({ name: '' }) }), field: `${D}.sound.name`, names: 'requires a name' },
  { id: 'A58', what: 'video without a graphics device', validate: validateOtherDevices, vmi: devices({ video: { type: 'virtio' }, autoattachGraphicsDevice: false }), field: `${D}.video`, names: 'autoattachGraphicsDevice' },
  { id: 'A60', what: 'panic devices on s390x', validate: validateOtherDevices, vmi: devices({ panicDevices: [panic('isa')] }, withSpec((s) => { s.architecture = 's390x'; })), field: `${D}.panicDevices`, names: 's390x' },
  { id: 'A61', what: 'an unknown panic device model', validate: validateOtherDevices, vmi: devices({ panicDevices: [panic('pvpanic'), panic('bogus')] }), field: `${D}.panicDevices[1].model`, names: '"bogus"' },
];

const ADMITTED = [
  { id: 'A50', what: 'a virtio tablet', validate: validateInputs, vmi: devices({ inputs: [input('virtio', 'tablet')] }) },
  { id: 'A51', what: 'an input with bus and type left to the defaults', validate: validateInputs, vmi: devices({ inputs: [input('', '')] }) },
  { id: 'A52', what: 'one ramfb display and one display without ramfb', validate: validateOtherDevices, vmi: devices({ gpus: [gpu('gpu1', {}), gpu('gpu2', { ramFB: { enabled: false } }), gpu('gpu3', { ramFB: {} })] }) },
  { id: 'A54', what: 'an ac97 sound card', validate: validateOtherDevices, vmi: devices({ sound: sound({ model: 'ac97' }) }) },
  { id: 'A57', what: 'video configuration without the VideoConfig gate (implemented)', validate: validateOtherDevices, vmi: devices({ video: { type: 'virtio' } }) },
  { id: 'A61', what: 'hyperv, isa and pvpanic panic devices on amd64', validate: validateOtherDevices, vmi: devices({ panicDevices: [panic('hyperv'), panic('isa'), panic('pvpanic'), {}] }) },
];

describe('other devices', () => {
  it.each(DENIED)('$id denies $what', ({ validate, vmi, field, names }) => {
    const causes = run(validate, vmi);
    const hit = causes.find((c) => c.field === field && c.type === CauseType.Invalid && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ validate, vmi }) => {
    expect(run(validate, vmi)).toEqual([]);
  });
});
