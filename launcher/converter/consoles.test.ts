import { describe, expect, it } from 'vitest';
import type { Devices } from '../../crd-gen/index.js';
import { newVmi, withDevices } from '../../test/builders/vmi.js';
import { TEST_RUN_DIR, testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureConsoles } from './consoles.js';

const SOURCE = { mode: 'bind', path: `${TEST_RUN_DIR}/serial0` };
const LOG = { file: `${TEST_RUN_DIR}/serial0.log`, append: 'on' };
const CONSOLE = [{ type: 'pty', target: { type: 'serial', port: 0 } }];

describe('configureConsoles', () => {
  it.each([
    ['logged by the cluster default', {}, true, [{ type: 'unix', target: { port: 0 }, source: SOURCE, log: LOG }], CONSOLE],
    ['not logged when the cluster default is off', {}, false, [{ type: 'unix', target: { port: 0 }, source: SOURCE }], CONSOLE],
    ['logged when the VMI asks, whatever the default', { logSerialConsole: true }, false, [{ type: 'unix', target: { port: 0 }, source: SOURCE, log: LOG }], CONSOLE],
    ['not logged when the VMI says no', { logSerialConsole: false }, true, [{ type: 'unix', target: { port: 0 }, source: SOURCE }], CONSOLE],
    ['nothing without the serial console', { autoattachSerialConsole: false }, true, [], []],
  ])('%s', (_what, devices, serialConsoleLogDefault, serials, consoles) => {
    const d = configureConsoles(newVmi(withDevices(devices as Partial<Devices>)), testContext({ serialConsoleLogDefault }), emptyDomain());
    expect([d.devices.serials, d.devices.consoles]).toEqual([serials, consoles]);
  });
});
