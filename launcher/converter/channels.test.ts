import { describe, expect, it } from 'vitest';
import { newVmi, withDevices } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { configureChannels } from './channels.js';
import { emptyDomain } from './configurator.js';

const AGENT = [{ type: 'unix', target: { type: 'virtio', name: 'org.qemu.guest_agent.0' } }];

describe('configureChannels', () => {
  it.each([
    ['a default VMI', newVmi()],
    ['a VMI without a serial console (libvirt adds the virtio-serial bus itself)', newVmi(withDevices({ autoattachSerialConsole: false }))],
  ])('always adds the guest agent channel: %s', (_what, vmi) => {
    expect(configureChannels(vmi, testContext(), emptyDomain()).devices.channels).toEqual(AGENT);
  });
});
