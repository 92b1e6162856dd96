// kubevirt-ts' AX15–AX17: a clock the launcher can write (time zone characters, tick policies,
// RTC tracking). KubeVirt has no admission rule for these; libvirt would refuse the domain.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { Clock, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateClock } from './clock.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateClock(vmi.spec, path('spec'), ctx(vmi));
const clock = (c: Clock) => newVmi(withDomain({ clock: c }));
const T = 'spec.domain.clock.timer';

const DENIED = [
  { id: 'AX15', what: 'a time zone with a space', vmi: clock({ timezone: 'Europe/Berlin now' }), field: 'spec.domain.clock.timezone', type: CauseType.Invalid, names: '"Europe/Berlin now"' },
  { id: 'AX15', what: 'an empty time zone', vmi: clock({ timezone: '' }), field: 'spec.domain.clock.timezone', type: CauseType.Invalid, names: '""' },
  { id: 'AX16', what: 'an unknown PIT tick policy', vmi: clock({ utc: {}, timer: { pit: { tickPolicy: 'slew' } } }), field: `${T}.pit.tickPolicy`, type: CauseType.NotSupported, names: '"slew"' },
  { id: 'AX16', what: 'an unknown HPET tick policy', vmi: clock({ utc: {}, timer: { hpet: { tickPolicy: 'later' } } }), field: `${T}.hpet.tickPolicy`, type: CauseType.NotSupported, names: '"later"' },
  { id: 'AX17', what: 'an unknown RTC track', vmi: clock({ utc: {}, timer: { rtc: { track: 'host' } } }), field: `${T}.rtc.track`, type: CauseType.NotSupported, names: '"host"' },
];

const ADMITTED = [
  { id: 'AX15', what: 'a tz database name', vmi: clock({ timezone: 'America/Argentina/Buenos_Aires' }) },
  { id: 'AX15', what: 'utc, which makes the launcher ignore the time zone', vmi: clock({ utc: { offsetSeconds: 3600 }, timezone: 'not used' }) },
  { id: 'AX16', what: "the Windows example's timers", vmi: clock({ utc: {}, timer: { hpet: { present: false }, hyperv: {}, pit: { tickPolicy: 'delay' }, rtc: { tickPolicy: 'catchup', track: 'guest' } } }) },
];

describe('validateClock', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, type, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });
});
