import { describe, expect, it } from 'vitest';
import { CauseType } from '../webhooks/cause.js';
import { causeLine } from './check.js';

const line = (field: string, message: string): string => causeLine('VirtualMachineInstance/v', { type: CauseType.Invalid, field, message });

describe('causeLine', () => {
  it.each([
    ['spec.hostname', 'spec.hostname "X" is not a DNS label', 'VirtualMachineInstance/v: spec.hostname: "X" is not a DNS label'],
    ['spec.a', "spec.a '-1': must be >= 0", "VirtualMachineInstance/v: spec.a: '-1': must be >= 0"],
    ['spec.a', 'spec.a: bad', 'VirtualMachineInstance/v: spec.a: bad'],
    ['spec.a', 'spec.ab is unrelated', 'VirtualMachineInstance/v: spec.a: spec.ab is unrelated'],
    ['spec.d[1].name', 'spec.d[1] and spec.d[0] share a name', 'VirtualMachineInstance/v: spec.d[1].name: spec.d[1] and spec.d[0] share a name'],
    ['spec.a', 'spec.a', 'VirtualMachineInstance/v: spec.a: spec.a'],
    ['', 'no field', 'VirtualMachineInstance/v: <root>: no field'],
  ])('%s + %j', (field, message, expected) => {
    expect(line(field, message)).toBe(expected);
  });
});
