/**
 * What a guest-initiated reboot does: `rebootPolicy: Terminate` ends the instance
 * (`<on_reboot>destroy`), `Reboot` restarts it in place; unset leaves libvirt's default (restart).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/reboot_policy.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Configurator } from './configurator.js';

const ON_REBOOT: Readonly<Record<string, string>> = { Terminate: 'destroy', Reboot: 'restart' };

/** Sets `<on_reboot>` from `spec.domain.rebootPolicy`. */
export const configureRebootPolicy: Configurator = (vmi, _ctx, domain) => {
  const policy = vmi.spec.domain.rebootPolicy;
  if (policy === undefined) return domain;
  const onReboot = ON_REBOOT[policy];
  if (onReboot === undefined) throw new ConversionError('spec.domain.rebootPolicy', `${JSON.stringify(policy)} is not supported; use Reboot or Terminate`);
  return { ...domain, onReboot };
};
