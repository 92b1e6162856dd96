import { describe, expect, it } from 'vitest';
import { newVmi, withDevices } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import { validateDeviceSupport } from './device-support.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const P = 'spec.domain.devices';
const NS = CauseType.NotSupported;

const denied: readonly DeniedCase[] = [
  { id: 'kvt-device', title: 'GPUs', spec: specWith({ gpus: [{ name: 'g', deviceName: 'nvidia.com/GRID' }] }), field: `${P}.gpus`, type: NS, value: 'GPU' },
  { id: 'kvt-device', title: 'filesystems', spec: specWith({ filesystems: [{ name: 'f', virtiofs: {} }] }), field: `${P}.filesystems`, type: NS, value: 'virtiofs' },
  { id: 'kvt-device', title: 'a sound device', spec: specWith({ sound: { name: 's', model: 'ich9' } }), field: `${P}.sound`, type: NS, value: 'sound' },
  { id: 'kvt-device', title: 'client passthrough', spec: specWith({ clientPassthrough: {} }), field: `${P}.clientPassthrough`, type: NS, value: 'USB redirection' },
  { id: 'kvt-device', title: 'the downward metrics device', spec: specWith({ downwardMetrics: {} }), field: `${P}.downwardMetrics`, type: NS, value: 'downward metrics' },
  { id: 'kvt-device', title: 'an input name libvirt cannot alias', spec: specWith({ inputs: [{ name: 'my tablet', type: 'tablet' }] }), field: `${P}.inputs[0].name`, type: NS, value: '"my tablet"' },
  { id: 'kvt-device', title: 'a watchdog name libvirt cannot alias', spec: specWith({ watchdog: { name: 'dog/1', i6300esb: {} } }), field: `${P}.watchdog.name`, type: NS, value: '"dog/1"' },
  { id: 'kvt-device', title: 'a watchdog action libvirt does not know', spec: specWith({ watchdog: { name: 'w', i6300esb: { action: 'explode' } } }), field: `${P}.watchdog.i6300esb.action`, type: NS, value: '"explode"' },
];

describe('validateDeviceSupport', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateDeviceSupport, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
    expect(causes[0]?.message).toContain('is not supported by kubevirt-ts');
  });

  it.each([
    ['a defaulted VMI with a tablet, a watchdog (action reset), rng, video and a disabled TPM', newVmi(withDevices({
      inputs: [{ name: 'tablet0', type: 'tablet' }], watchdog: { name: 'wd.0' }, rng: {}, video: { type: 'virtio' }, tpm: { enabled: false }, gpus: [], filesystems: [],
    })).spec],
    ['every libvirt watchdog action', specWith({ watchdog: { name: 'w', i6300esb: { action: 'inject-nmi' } } })],
    ['an emulated TPM (tpm: {})', specWith({ tpm: {} })],
    ['a persistent TPM (KubeVirt\'s VMPersistentState gate is GA: no gate needed)', specWith({ tpm: { persistent: true } })],
    ['a TPM that is not persistent', specWith({ tpm: { persistent: false, enabled: true } })],
  ])('kvt-device admits %s', (_title, spec) => {
    expect(causesOf(validateDeviceSupport, { spec })).toEqual([]);
  });
});
