/**
 * The hardware watchdog: an Intel 6300ESB with the VMI's action (admission defaults it to reset).
 * diag288 is s390x-only and refused on x86_64.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/watchdog.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Configurator } from './configurator.js';
import { oneOf, userAlias } from './values.js';

/** Actions libvirt's grammar allows for a watchdog. */
const ACTIONS = ['reset', 'shutdown', 'poweroff', 'pause', 'none', 'dump', 'inject-nmi'] as const;
const FIELD = 'spec.domain.devices.watchdog';

/** Sets `<watchdog>`. */
export const configureWatchdog: Configurator = (vmi, _ctx, domain) => {
  const watchdog = vmi.spec.domain.devices.watchdog;
  if (watchdog === undefined) return domain;
  if (watchdog.i6300esb === undefined) throw new ConversionError(FIELD, 'only the i6300esb watchdog exists on x86_64');
  const action = oneOf(`${FIELD}.i6300esb.action`, watchdog.i6300esb.action || 'reset', ACTIONS);
  const watchdogs = [{ model: 'i6300esb', action, alias: userAlias(`${FIELD}.name`, watchdog.name) }];
  return { ...domain, devices: { ...domain.devices, watchdogs } };
};
