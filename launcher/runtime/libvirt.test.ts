import { describe, expect, it } from 'vitest';
import { DomainNotFoundError, HypervisorError } from './hypervisor.js';
import { parseDomstatsState, toHypervisorError } from './libvirt.js';

describe('parseDomstatsState', () => {
  it('reads state and reason from virsh domstats --state', () => {
    const output = "Domain: 'default_vmi'\n  state.state=5\n  state.reason=2\n\n";
    expect(parseDomstatsState(output)).toEqual({ state: 5, reason: 2 });
  });

  it('returns undefined when a field is missing', () => {
    expect(parseDomstatsState("Domain: 'x'\n  state.state=1\n")).toBeUndefined();
  });
});

describe('toHypervisorError', () => {
  it('turns libvirt "Domain not found" into DomainNotFoundError', () => {
    const err = toHypervisorError(new Error("Domain not found: no domain with matching name 'x'"), 'start', 'x');
    expect(err).toBeInstanceOf(DomainNotFoundError);
    expect(err.message).toBe(`Could not start domain "x": Domain not found: no domain with matching name 'x'`);
  });

  it("uses virsh's stderr when there is one", () => {
    const failure = Object.assign(new Error('Command failed: virsh ...'), { stderr: "error: failed to get domain 'x'\n" });
    const err = toHypervisorError(failure, 'read the state of', 'x');
    expect(err).toBeInstanceOf(DomainNotFoundError);
    expect(err.message).toContain("failed to get domain 'x'");
    expect(err.cause).toBe(failure);
  });

  it('keeps other failures as HypervisorError and leaves ours alone', () => {
    const err = toHypervisorError(new Error('internal error: client socket is closed'), 'destroy', 'x');
    expect(err).toBeInstanceOf(HypervisorError);
    expect(err).not.toBeInstanceOf(DomainNotFoundError);
    expect(toHypervisorError(err, 'other')).toBe(err);
  });
});
