import { describe, expect, it } from 'vitest';
import { newVmi, withAnnotation, withDevices, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import type { ConverterContext } from './context.js';
import { emptyDomain } from './configurator.js';
import { configureMemBalloon } from './memballoon.js';

const V = 'virtio-non-transitional';

describe('configureMemBalloon', () => {
  it.each([
    ['virtio with stats and free page reporting', [], {}, { model: V, stats: { period: 10 }, freePageReporting: 'on' }],
    ['the cluster\'s stats period', [], { memBalloonStatsPeriod: 5 }, { model: V, stats: { period: 5 }, freePageReporting: 'on' }],
    ['no stats at period 0', [], { memBalloonStatsPeriod: 0 }, { model: V, freePageReporting: 'on' }],
    ['no free page reporting when the cluster disables it', [], { freePageReporting: false }, { model: V, stats: { period: 10 }, freePageReporting: 'off' }],
    ['no free page reporting with hugepages', [withDomain({ memory: { guest: '512Mi', hugepages: { pageSize: '2Mi' } } })], {}, { model: V, stats: { period: 10 }, freePageReporting: 'off' }],
    ['no free page reporting with the opt-out annotation', [withAnnotation('kubevirt.io/free-page-reporting-disabled', 'true')], {}, { model: V, stats: { period: 10 }, freePageReporting: 'off' }],
    ['model none when not auto-attached', [withDevices({ autoattachMemBalloon: false })], {}, { model: 'none' }],
  ])('%s', (_what, options, ctx, expected) => {
    expect(configureMemBalloon(newVmi(...options), testContext(ctx as Partial<ConverterContext>), emptyDomain()).devices.memballoon).toEqual(expected);
  });
});
