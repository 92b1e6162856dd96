import { describe, expect, it } from 'vitest';
import type { Devices } from '../../crd-gen/index.js';
import { newVmi, withDevices } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureRng } from './rng.js';

describe('configureRng', () => {
  it.each([
    ['none without devices.rng', {}, []],
    ['virtio from /dev/urandom', { rng: {} }, [{ model: 'virtio-non-transitional', backend: { model: 'random', path: '/dev/urandom' } }]],
    ['transitional', { rng: {}, useVirtioTransitional: true }, [{ model: 'virtio-transitional', backend: { model: 'random', path: '/dev/urandom' } }]],
  ])('%s', (_what, devices, rngs) => {
    expect(configureRng(newVmi(withDevices(devices as Partial<Devices>)), testContext(), emptyDomain()).devices.rngs).toEqual(rngs);
  });
});
