import { describe, expect, it } from 'vitest';
import { capCauses, capWarnings, CauseType, cutText, MAX_CAUSE_TEXT, MAX_CAUSES, MAX_WARNINGS, type Cause } from './cause.js';

const causeAt = (i: number): Cause => ({ type: CauseType.Invalid, field: `spec.domain.devices.disks[${i}].name`, message: `disk ${i} is wrong` });

describe('capCauses', () => {
  it('keeps a short list as it is', () => {
    const causes = [causeAt(0), causeAt(1)];
    expect(capCauses(causes)).toBe(causes);
    const full = Array.from({ length: MAX_CAUSES }, (_, i) => causeAt(i));
    expect(capCauses(full)).toEqual(full);
  });

  it('keeps the first causes and counts the rest in one last cause on the next field', () => {
    const capped = capCauses(Array.from({ length: 80_000 }, (_, i) => causeAt(i)));
    expect(capped).toHaveLength(MAX_CAUSES);
    expect(capped.slice(0, MAX_CAUSES - 1)).toEqual(Array.from({ length: MAX_CAUSES - 1 }, (_, i) => causeAt(i)));
    expect(capped[MAX_CAUSES - 1]).toEqual({ type: CauseType.Invalid, field: `spec.domain.devices.disks[${MAX_CAUSES - 1}].name`, message: `and ${80_000 - MAX_CAUSES + 1} more causes (the first ${MAX_CAUSES - 1} are listed)` });
  });

  it('cuts a long message or field and says how much it left out', () => {
    const [c] = capCauses([{ type: CauseType.Invalid, field: `metadata.labels.${'k'.repeat(5000)}`, message: `bad ${'v'.repeat(2_000_000)}` }]);
    expect(c?.message).toHaveLength(MAX_CAUSE_TEXT + `… (${2_000_004 - MAX_CAUSE_TEXT} more characters)`.length);
    expect(c?.message.endsWith(`(${2_000_004 - MAX_CAUSE_TEXT} more characters)`)).toBe(true);
    expect(c?.field.startsWith('metadata.labels.kkk')).toBe(true);
    expect(c?.field.length).toBeLessThan(MAX_CAUSE_TEXT + 40);
  });
});

describe('capWarnings', () => {
  it('drops repeats and keeps order', () => {
    expect(capWarnings(['b', 'a', 'b'])).toEqual(['b', 'a']);
  });
  it('keeps the first warnings and counts the rest', () => {
    const warnings = capWarnings(Array.from({ length: 500 }, (_, i) => `w${i}`));
    expect(warnings).toHaveLength(MAX_WARNINGS);
    expect(warnings.at(-1)).toBe(`and ${500 - MAX_WARNINGS + 1} more warnings`);
  });
  it('cuts a long warning', () => {
    expect(capWarnings(['x'.repeat(10_000)])[0]).toBe(cutText('x'.repeat(10_000), 1024));
  });
});
