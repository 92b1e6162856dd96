// The KVM verdict (pure) on recorded probe runs, and the probe itself against the real QEMU.
import { describe, expect, it } from 'vitest';
import { findEfiFirmware, judgeKvm, probeKvm } from './host-facts.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';

const haveQemu = haveTools(['qemu-system-x86_64']);

describe('judgeKvm', () => {
  const ok = (ms: number) => ({ ok: true, ms, detail: 'exited through isa-debug-exit' });
  it.each([
    ['real KVM, faster than emulation', ok(100), ok(20), true],
    ['KVM about as fast', ok(100), ok(140), true],
    ['nested KVM that crawls', ok(100), ok(1900), false],
    ['KVM that never exits', ok(100), { ok: false, ms: 1000, detail: 'no exit within 1000 ms' }, false],
  ])('%s', (_n, tcg, kvm, usable) => {
    expect(judgeKvm(tcg, kvm).usable).toBe(usable);
  });
});

describe.skipIf(!haveQemu && !IN_CI)('probeKvm on this host', () => {
  it('runs the probe under emulation successfully and reaches a verdict', async () => {
    const verdict = await probeKvm({ kvmDevice: '/dev/kvm' });
    if (verdict.tcg !== undefined) expect(verdict.tcg).toMatchObject({ ok: true });
    expect(typeof verdict.usable).toBe('boolean');
    expect(verdict.reason.length).toBeGreaterThan(0);
  }, 30_000);

  it('says KVM is unusable when there is no KVM device', async () => {
    expect(await probeKvm({ kvmDevice: '/nonexistent/kvm' })).toEqual({ usable: false, reason: '/nonexistent/kvm does not exist' });
  });

  it('finds Debian\'s OVMF firmware set', async () => {
    const efi = await findEfiFirmware();
    if (IN_CI) expect(efi?.code).toMatch(/^\/usr\/share\/OVMF\//);
  });
});
