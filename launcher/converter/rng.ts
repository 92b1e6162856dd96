/**
 * A virtio RNG fed from the host's /dev/urandom, when the VMI sets `devices.rng`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/rng.go
 */
import type { Configurator } from './configurator.js';
import { virtioModel } from './values.js';

/** Sets `<rng>`. */
export const configureRng: Configurator = (vmi, _ctx, domain) => {
  const devices = vmi.spec.domain.devices;
  if (devices.rng === undefined) return domain;
  const rngs = [{ model: virtioModel(devices.useVirtioTransitional), backend: { model: 'random', path: '/dev/urandom' } }];
  return { ...domain, devices: { ...domain.devices, rngs } };
};
