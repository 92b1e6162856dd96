/**
 * The serial console: a serial port on a unix socket (`kvt console` attaches there), logged to a
 * file when `devices.logSerialConsole` is true or unset with the cluster default on, and a pty
 * console on that port. `autoattachSerialConsole: false` removes both.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/console.go
 */
import type { Serial } from '../domain/schema.js';
import type { Configurator } from './configurator.js';

/** Sets `<serial>` and `<console>`. */
export const configureConsoles: Configurator = (vmi, ctx, domain) => {
  const devices = vmi.spec.domain.devices;
  if (devices.autoattachSerialConsole === false) return domain;
  const logged = devices.logSerialConsole ?? ctx.serialConsoleLogDefault;
  const serial: Serial = { type: 'unix', target: { port: 0 }, source: { mode: 'bind', path: ctx.serialSocketPath } };
  if (logged) serial.log = { file: ctx.serialLogPath, append: 'on' };
  return { ...domain, devices: { ...domain.devices, serials: [serial], consoles: [{ type: 'pty', target: { type: 'serial', port: 0 } }] } };
};
