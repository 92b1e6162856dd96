import { describe, expect, it } from 'vitest';
import type { Watchdog } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withDevices } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureWatchdog } from './watchdog.js';

describe('configureWatchdog', () => {
  it.each([
    ['none', undefined, []],
    ['i6300esb with the defaulted action', { name: 'wd' }, [{ model: 'i6300esb', action: 'reset', alias: { name: 'ua-wd' } }]],
    ['i6300esb poweroff', { name: 'wd', i6300esb: { action: 'poweroff' } }, [{ model: 'i6300esb', action: 'poweroff', alias: { name: 'ua-wd' } }]],
  ])('%s', (_what, watchdog, expected) => {
    const vmi = newVmi(withDevices(watchdog === undefined ? {} : { watchdog: watchdog as Watchdog }));
    expect(configureWatchdog(vmi, testContext(), emptyDomain()).devices.watchdogs).toEqual(expected);
  });

  it.each([
    [{ name: 'wd', diag288: {} }, 'spec.domain.devices.watchdog: only the i6300esb watchdog exists on x86_64'],
    [{ name: 'wd', i6300esb: { action: 'explode' } }, 'spec.domain.devices.watchdog.i6300esb.action: "explode" is not supported'],
  ])('refuses %j', (watchdog, message) => {
    expect(() => configureWatchdog(newRawVmi(withDevices({ watchdog })), testContext(), emptyDomain())).toThrow(message);
  });
});
