/**
 * The guest clock: UTC (with an optional offset) or a time zone, and the timers the VMI lists, in
 * KubeVirt's fixed order rtc, pit, kvmclock, hpet, hypervclock; then a `tsc` timer pinned to the
 * frequency recorded in status when the guest needs one (invariant TSC or Hyper-V
 * reenlightenment), so it keeps the frequency it booted with. No `spec.domain.clock`, no `<clock>`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/clock.go
 */
import type { Clock as VmiClock, Timer as VmiTimer, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Clock, Timer } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { isEnabled, matching, oneOf, yesNo } from './values.js';

const TICK_POLICIES = ['delay', 'catchup', 'merge', 'discard'] as const;
const RTC_TRACKS = ['boot', 'guest', 'wall', 'realtime'] as const;
/** libvirt's `timeZone`. */
const TIME_ZONE = /^[a-zA-Z0-9_.+\-/]+$/;
const TIMER_PATH = 'spec.domain.clock.timer';

function tickPolicy(key: string, value: string | undefined): Pick<Timer, 'tickpolicy'> {
  return value ? { tickpolicy: oneOf(`${TIMER_PATH}.${key}.tickPolicy`, value, TICK_POLICIES) } : {};
}

function present(t: { readonly present?: boolean }): Pick<Timer, 'present'> {
  return { present: yesNo(t.present ?? true) };
}

function rtc(t: NonNullable<VmiTimer['rtc']>): Timer {
  const track = t.track ? { track: oneOf(`${TIMER_PATH}.rtc.track`, t.track, RTC_TRACKS) } : {};
  return { name: 'rtc', ...tickPolicy('rtc', t.tickPolicy), ...present(t), ...track };
}

/** The VMI's timers in KubeVirt's order. */
function timers(timer: VmiTimer | undefined): Timer[] {
  if (timer === undefined) return [];
  const out: Timer[] = [];
  if (timer.rtc) out.push(rtc(timer.rtc));
  if (timer.pit) out.push({ name: 'pit', ...tickPolicy('pit', timer.pit.tickPolicy), ...present(timer.pit) });
  if (timer.kvm) out.push({ name: 'kvmclock', ...present(timer.kvm) });
  if (timer.hpet) out.push({ name: 'hpet', ...tickPolicy('hpet', timer.hpet.tickPolicy), ...present(timer.hpet) });
  if (timer.hyperv) out.push({ name: 'hypervclock', ...present(timer.hyperv) });
  return out;
}

/**
 * libvirt's grammar requires an offset; KubeVirt writes none for a clock without utc/timezone (or a
 * tsc-only clock). We write libvirt's default, UTC, which is what the guest gets either way.
 */
const UTC_DEFAULT: Omit<Clock, 'timers'> = { offset: 'utc' };

function offset(clock: VmiClock): Omit<Clock, 'timers'> {
  if (clock.utc !== undefined) {
    const seconds = clock.utc.offsetSeconds;
    return { offset: 'utc', adjustment: seconds === undefined ? 'reset' : String(seconds) };
  }
  if (clock.timezone !== undefined) return { offset: 'timezone', timezone: matching('spec.domain.clock.timezone', clock.timezone, TIME_ZONE, 'letters, digits, "_", ".", "+", "-" and "/" only') };
  return UTC_DEFAULT;
}

function requiresManualTsc(vmi: Readonly<VirtualMachineInstance>): boolean {
  const invtsc = (vmi.spec.domain.cpu?.features ?? []).some((f) => f.name === 'invtsc' && (f.policy || 'require') === 'require');
  return invtsc || isEnabled(vmi.spec.domain.features?.hyperv?.reenlightenment);
}

/** The tsc timer at the frequency recorded in status, when the guest needs a fixed one. */
function tscTimer(vmi: Readonly<VirtualMachineInstance>): Timer[] {
  const frequency = vmi.status?.topologyHints?.tscFrequency;
  if (frequency === undefined || !requiresManualTsc(vmi)) return [];
  return [{ name: 'tsc', frequency: String(frequency) }];
}

/** Sets `<clock>` from `spec.domain.clock` and the TSC topology hint. */
export const configureClock: Configurator = (vmi, _ctx, domain) => {
  const clock = vmi.spec.domain.clock;
  const tsc = tscTimer(vmi);
  if (clock === undefined && tsc.length === 0) return domain;
  const base = clock === undefined ? { ...UTC_DEFAULT, timers: [] } : { ...offset(clock), timers: timers(clock.timer) };
  return { ...domain, clock: { ...base, timers: [...base.timers, ...tsc] } };
};
