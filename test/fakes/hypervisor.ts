/**
 * A small, honest stand-in for libvirt where the real one is not the point of the test: domains
 * with libvirt's lifecycle (defined → Running → Shutoff with a reason), a guest that obeys the
 * ACPI power button after a delay (or ignores it), and a daemon that can die.
 */
import { decodeDomain } from '../../launcher/domain/xml.js';
import type { DomainStatus } from '../../launcher/protocol/index.js';
import { DomainNotFoundError, HypervisorError, type Hypervisor } from '../../launcher/runtime/hypervisor.js';

/** How the fake guest reacts to an ACPI shutdown. */
export interface FakeGuest {
  /** Milliseconds until the guest powers off after the power button; undefined: it ignores it. */
  readonly acpiShutdownMs?: number;
}

/** The fake, with a record of what was asked of it. */
export class FakeHypervisor implements Hypervisor {
  readonly calls: string[] = [];
  readonly xml = new Map<string, string>();
  private readonly states = new Map<string, DomainStatus>();
  private dead = false;
  private closed = false;

  constructor(private readonly guest: FakeGuest = {}) {}

  /** The daemon went away: every later call fails as libvirt's would. */
  kill(): void {
    this.dead = true;
  }

  /** The guest powers itself off (as after `poweroff` inside it). */
  powerOffFromInside(name: string): void {
    this.states.set(name, { state: 'Shutoff', reason: 'Shutdown' });
  }

  private check(op: string, name?: string): void {
    this.calls.push(name === undefined ? op : `${op} ${name}`);
    if (this.dead || this.closed) throw new HypervisorError(op, name, 'Cannot recv data: Connection reset by peer');
    if (name !== undefined && !this.states.has(name)) throw new DomainNotFoundError(op, name, `Domain not found: no domain with matching name '${name}'`);
  }

  async define(xml: string): Promise<string> {
    this.check('define');
    const name = decodeDomain(xml).name;
    this.xml.set(name, xml);
    if (!this.states.has(name)) this.states.set(name, { state: 'Shutoff', reason: 'Unknown' });
    return name;
  }

  async start(name: string): Promise<void> {
    this.check('start', name);
    this.states.set(name, { state: 'Running', reason: 'Unknown' });
  }

  async shutdown(name: string): Promise<void> {
    this.check('shutdown', name);
    const delay = this.guest.acpiShutdownMs;
    if (delay !== undefined) setTimeout(() => this.powerOffFromInside(name), delay);
  }

  async destroy(name: string): Promise<void> {
    this.check('destroy', name);
    if (this.states.get(name)?.state !== 'Shutoff') this.states.set(name, { state: 'Shutoff', reason: 'Destroyed' });
  }

  async undefine(name: string): Promise<void> {
    this.check('undefine', name);
    this.states.delete(name);
    this.xml.delete(name);
  }

  async status(name: string): Promise<DomainStatus> {
    this.check('status', name);
    return this.states.get(name) as DomainStatus;
  }

  async domainXml(name: string): Promise<string> {
    this.check('domainXml', name);
    return this.xml.get(name) ?? '';
  }

  async pause(name: string): Promise<void> {
    this.check('pause', name);
    this.states.set(name, { state: 'Paused', reason: 'User' });
  }

  async resume(name: string): Promise<void> {
    this.check('resume', name);
    this.states.set(name, { state: 'Running', reason: 'Unknown' });
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.closed = true;
  }
}
