/**
 * The domain type: `kvm`, or `qemu` (TCG software emulation) only where KVM is unusable and the
 * cluster allows emulation. KVM that works always wins, even with emulation allowed.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/hypervisor.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Configurator } from './configurator.js';

/** Picks `kvm` or `qemu` from the host facts; refuses a host with neither. */
export const configureDomainType: Configurator = (_vmi, ctx, domain) => {
  if (ctx.kvmUsable) return { ...domain, type: 'kvm' };
  if (ctx.allowEmulation) return { ...domain, type: 'qemu' };
  throw new ConversionError('spec', 'kvm not present and emulation not allowed: this host has no usable KVM and the cluster does not allow software emulation (developerConfiguration.useEmulation)');
};
