/**
 * The guest clock, as far as the launcher writes it into the domain XML as given: a time zone made
 * of the characters libvirt accepts (AX15), tick policies (AX16) and RTC tracking (AX17) that
 * libvirt knows. KubeVirt has no admission rule here; its schema takes any string and libvirt
 * refuses the domain later, so kubevirt-ts refuses at admission instead.
 * @see https://libvirt.org/formatdomain.html#time-keeping
 */
import type { FieldPath } from '../../../core/field-path.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, libvirtPatternCauses } from './common.js';

/** libvirt's `timeZone`. */
const TIME_ZONE = /^[a-zA-Z0-9_.+\-/]+$/;
const TICK_POLICIES: readonly string[] = ['delay', 'catchup', 'merge', 'discard'];
const RTC_TRACKS: readonly string[] = ['boot', 'guest', 'wall', 'realtime'];

function choice(field: FieldPath, value: string | undefined, choices: readonly string[]): Cause[] {
  if (!value || choices.includes(value)) return [];
  return [cause(CauseType.NotSupported, field, `${field} ${JSON.stringify(value)} is not supported; use one of ${choices.join(', ')}`)];
}

/** `[timer, setting, allowed values]` the launcher checks. */
const TIMER_SETTINGS = [
  ['rtc', 'tickPolicy', TICK_POLICIES], ['rtc', 'track', RTC_TRACKS], ['pit', 'tickPolicy', TICK_POLICIES], ['hpet', 'tickPolicy', TICK_POLICIES],
] as const;

/** AX15–AX17. */
export const validateClock: SpecValidator = (spec, path) => {
  const clock = spec.domain.clock;
  if (clock === undefined) return [];
  const timers = at(path, 'domain.clock.timer');
  // The launcher ignores the time zone when utc is set.
  const zone = clock.utc === undefined ? libvirtPatternCauses(at(path, 'domain.clock.timezone'), clock.timezone, TIME_ZONE, 'letters, digits, "_", ".", "+", "-" and "/" only') : [];
  return [
    ...zone,
    ...TIMER_SETTINGS.flatMap(([timer, key, choices]) => {
      const value = (clock.timer?.[timer] as Readonly<Record<string, unknown>> | undefined)?.[key];
      return choice(timers.child(timer).child(key), typeof value === 'string' ? value : undefined, choices);
    }),
  ];
};
