import { describe, expect, it } from 'vitest';
import type { Clock, DomainSpec } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { configureClock } from './clock.js';
import { emptyDomain } from './configurator.js';

const clockOf = (clock: Clock | undefined) => configureClock(newVmi(withDomain(clock === undefined ? {} : { clock })), testContext(), emptyDomain()).clock;

describe('configureClock', () => {
  it.each([
    ['no clock block: no element', undefined, undefined],
    ['utc resets', { utc: {} }, { offset: 'utc', adjustment: 'reset', timers: [] }],
    ['utc with an offset', { utc: { offsetSeconds: -3600 } }, { offset: 'utc', adjustment: '-3600', timers: [] }],
    ['a time zone', { timezone: 'Europe/Berlin' }, { offset: 'timezone', timezone: 'Europe/Berlin', timers: [] }],
    ['timers only: libvirt default offset utc', { timer: { kvm: {} } }, { offset: 'utc', timers: [{ name: 'kvmclock', present: 'yes' }] }],
    ['every timer, in KubeVirt order whatever the input order', {
      utc: {},
      timer: { hyperv: {}, hpet: { present: false, tickPolicy: 'delay' }, kvm: { present: true }, pit: { tickPolicy: 'discard', present: false }, rtc: { tickPolicy: 'catchup', track: 'guest' } },
    }, {
      offset: 'utc', adjustment: 'reset', timers: [
        { name: 'rtc', tickpolicy: 'catchup', present: 'yes', track: 'guest' },
        { name: 'pit', tickpolicy: 'discard', present: 'no' },
        { name: 'kvmclock', present: 'yes' },
        { name: 'hpet', tickpolicy: 'delay', present: 'no' },
        { name: 'hypervclock', present: 'yes' },
      ],
    }],
  ])('%s', (_what, clock, expected) => {
    expect(clockOf(clock as Clock | undefined)).toEqual(expected);
  });

  it.each([
    [{ timezone: 'Europe/Berlin"' }, 'spec.domain.clock.timezone'],
    [{ timer: { rtc: { tickPolicy: 'sometimes' } } }, 'spec.domain.clock.timer.rtc.tickPolicy: "sometimes" is not supported'],
    [{ timer: { rtc: { track: 'moon' } } }, 'spec.domain.clock.timer.rtc.track: "moon" is not supported'],
  ])('refuses %j', (clock, message) => {
    expect(() => clockOf(clock as Clock)).toThrow(message);
  });

  it.each([
    ['invariant TSC required', { cpu: { features: [{ name: 'invtsc', policy: 'require' }] } }, [{ name: 'tsc', frequency: '2400000000' }]],
    ['Hyper-V reenlightenment', { features: { hyperv: { reenlightenment: {} } } }, [{ name: 'tsc', frequency: '2400000000' }]],
    ['neither', {}, []],
  ])('pins the TSC frequency from status for %s', (_what, domain, timers) => {
    const vmi = newRawVmi(withDomain({ clock: { utc: {} }, ...(domain as Partial<DomainSpec>) }), (v) => { v.status = { topologyHints: { tscFrequency: 2_400_000_000 } }; });
    expect(configureClock(vmi, testContext(), emptyDomain()).clock?.timers).toEqual(timers);
  });
});
