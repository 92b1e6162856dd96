/**
 * The display: VNC on a unix socket and a video card (the VMI's `devices.video.type`, else VGA),
 * unless `autoattachGraphicsDevice: false` makes the guest headless.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/graphics.go
 */
import type { Configurator } from './configurator.js';
import { oneOf } from './values.js';

/** KubeVirt's video defaults: one head, 16 MiB of VRAM (in KiB). */
const HEADS = 1;
const VRAM_KIB = 16384;
const VIDEO_TYPES = ['vga', 'cirrus', 'virtio', 'ramfb', 'bochs'] as const;

/** Sets `<graphics>` and `<video>`. */
export const configureGraphics: Configurator = (vmi, ctx, domain) => {
  const devices = vmi.spec.domain.devices;
  if (devices.autoattachGraphicsDevice === false) return domain;
  const videos = [{ model: { type: oneOf('spec.domain.devices.video.type', devices.video?.type ?? 'vga', VIDEO_TYPES), heads: HEADS, vram: VRAM_KIB } }];
  return { ...domain, devices: { ...domain.devices, graphics: [{ type: 'vnc', listen: { type: 'socket', socket: ctx.vncSocketPath } }], videos } };
};
