import { describe, expect, it } from 'vitest';
import type { GPU } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateOtherDevices } from './other-devices.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const P = 'spec.domain.devices';
const ramfbGpu = (name: string): GPU => ({ name, deviceName: 'nvidia.com/GRID', virtualGPUOptions: { display: {} } });

const denied: readonly DeniedCase[] = [
  { id: 'B89', title: 'an input on the ps2 bus', spec: specWith({ inputs: [{ name: 't', type: 'tablet', bus: 'ps2' as 'usb' }] }), field: `${P}.inputs[0].bus`, type: CauseType.Invalid, value: '"ps2"' },
  { id: 'B90', title: 'a keyboard input', spec: specWith({ inputs: [{ name: 'k', type: 'keyboard' as 'tablet', bus: 'usb' }] }), field: `${P}.inputs[0].type`, type: CauseType.Invalid, value: '"keyboard"' },
  { id: 'B90', title: 'an input without a type', spec: specWith({ inputs: [{ name: 'k', type: '' }] }), field: `${P}.inputs[0].type`, type: CauseType.Invalid, value: '""' },
  { id: 'B91', title: 'a sound model sb16 (on the sound device, not spec.Sound)', spec: specWith({ sound: { name: 's', model: 'sb16' as 'ich9' } }), field: `${P}.sound`, type: CauseType.Invalid, value: '"sb16"' },
  { id: 'B91', title: 'a sound device without a name', spec: specWith({ sound: { name: '' } }), field: `${P}.sound`, type: CauseType.Invalid, value: '""' },
  { id: 'B92', title: 'two GPUs with ramfb displays (on gpus, not spec.GPUs)', spec: specWith({ gpus: [ramfbGpu('a'), ramfbGpu('b')] }), field: `${P}.gpus`, type: CauseType.Invalid, value: '"a", "b"' },
  { id: 'B93', title: 'host devices (gate rule; kubevirt-ts has no passthrough)', spec: specWith({ hostDevices: [{ name: 'nic', deviceName: 'intel.com/x710' }] }), field: `${P}.hostDevices`, type: CauseType.NotSupported, value: '"nic"' },
  { id: 'B93', title: 'host devices even with the HostDevices gate on', cfg: { featureGates: ['HostDevices'] }, spec: specWith({ hostDevices: [{ name: 'nic' }] }), field: `${P}.hostDevices`, type: CauseType.NotSupported, value: 'not supported by kubevirt-ts' },
  { id: 'B94', title: 'video without a graphics device (on video, not spec.video)', spec: specWith({ autoattachGraphicsDevice: false, video: { type: 'virtio' } }), field: `${P}.video`, type: CauseType.Invalid, value: '"virtio"' },
  { id: 'B95', title: 'a diag288 watchdog on amd64', spec: specWith({ watchdog: { name: 'w', diag288: { action: 'reset' } } }, { architecture: 'amd64' }), field: `${P}.watchdog`, type: CauseType.NotSupported, value: '"w"' },
  { id: 'B95', title: 'a watchdog without a model on the default (amd64) architecture', spec: specWith({ watchdog: { name: 'w' } }), field: `${P}.watchdog`, type: CauseType.NotSupported, value: 'i6300esb' },
  { id: 'B95', title: 'both watchdog models', spec: specWith({ watchdog: { name: 'w', i6300esb: {}, diag288: {} } }), field: `${P}.watchdog`, type: CauseType.NotSupported, value: '"w"' },
];

describe('validateOtherDevices', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateOtherDevices, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['B89/B90', 'tablets on usb, virtio and no bus', specWith({ inputs: [{ name: 'a', type: 'tablet', bus: 'usb' }, { name: 'b', type: 'tablet', bus: 'virtio' }, { name: 'c', type: 'tablet' }] })],
    ['B91', 'named sound devices of both models and of no model', specWith({ sound: { name: 's', model: 'ac97' } })],
    ['B92', 'one ramfb display, one display with ramfb off, one turned off', specWith({ gpus: [ramfbGpu('a'), { name: 'b', virtualGPUOptions: { display: { ramFB: { enabled: false } } } }, { name: 'c', virtualGPUOptions: { display: { enabled: false } } }] })],
    ['B92', 'two GPUs whose ramfb is present with enabled unset', specWith({ gpus: [{ name: 'a', virtualGPUOptions: { display: { ramFB: {} } } }, { name: 'b', virtualGPUOptions: { display: { ramFB: {} } } }] })],
    ['B93', 'an empty host device list', specWith({ hostDevices: [] })],
    ['B94', 'video with the VideoConfig gate off (kubevirt-ts implements video)', specWith({ video: { type: 'bochs' } })],
    ['B95', 'an i6300esb watchdog on amd64', specWith({ watchdog: { name: 'w', i6300esb: { action: 'poweroff' } } }, { architecture: 'amd64' })],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateOtherDevices, { spec })).toEqual([]);
  });

  it('B91 reports a bad model and a missing name as two causes', () => {
    const causes = causesOf(validateOtherDevices, { spec: specWith({ sound: { name: '', model: 'x' as 'ich9' } }) });
    expect(causes.map((c) => c.field)).toEqual([`${P}.sound`, `${P}.sound`]);
  });
});
