/**
 * The QEMU guest agent's virtio channel, always present; libvirt chooses the socket path.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/channels.go
 */
import type { Configurator } from './configurator.js';

/** The guest agent's well-known channel name. */
export const GUEST_AGENT_CHANNEL = 'org.qemu.guest_agent.0';

/** Sets the guest agent `<channel>`. */
export const configureChannels: Configurator = (_vmi, _ctx, domain) =>
  ({ ...domain, devices: { ...domain.devices, channels: [{ type: 'unix', target: { type: 'virtio', name: GUEST_AGENT_CHANNEL } }] } });
