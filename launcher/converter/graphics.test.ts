import { describe, expect, it } from 'vitest';
import type { Devices } from '../../crd-gen/index.js';
import { newVmi, withDevices } from '../../test/builders/vmi.js';
import { TEST_RUN_DIR, testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureGraphics } from './graphics.js';

const VNC = [{ type: 'vnc', listen: { type: 'socket', socket: `${TEST_RUN_DIR}/vnc` } }];

describe('configureGraphics', () => {
  it.each([
    ['VNC and VGA by default', {}, VNC, [{ model: { type: 'vga', heads: 1, vram: 16384 } }]],
    ['the VMI\'s video type', { video: { type: 'virtio' } }, VNC, [{ model: { type: 'virtio', heads: 1, vram: 16384 } }]],
    ['headless', { autoattachGraphicsDevice: false }, [], []],
  ])('%s', (_what, devices, graphics, videos) => {
    const d = configureGraphics(newVmi(withDevices(devices as Partial<Devices>)), testContext(), emptyDomain());
    expect([d.devices.graphics, d.devices.videos]).toEqual([graphics, videos]);
  });

  it('refuses a video type libvirt does not know', () => {
    expect(() => configureGraphics(newVmi(withDevices({ video: { type: 'hologram' as 'vga' } })), testContext(), emptyDomain())).toThrow('spec.domain.devices.video.type');
  });
});
