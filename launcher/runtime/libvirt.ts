/**
 * The {@link Hypervisor} port over libvirt: the `@unraid/libvirt` binding for what it has, `virsh`
 * (Debian `libvirt-clients`, run with an argument array, never a shell) for what it lacks (the
 * state's reason, guest agent commands). Errors leave this file only as {@link HypervisorError} or
 * {@link DomainNotFoundError}, naming the operation and the domain.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Hypervisor as LibvirtConnection, type Domain as LibvirtDomain } from '@unraid/libvirt';
import { toolStderr } from '../../core/tool-failure.js';
import {
  DomainNotFoundError,
  HypervisorError,
  domainStatusFromLibvirt,
  type DomainStatus,
  type Hypervisor,
} from './hypervisor.js';

const run = promisify(execFile);

/** Options of {@link connectLibvirt}. */
export interface LibvirtOptions {
  /** @default "virsh" */
  readonly virsh?: string;
  /**
   * The longest any single call may take before it fails with a {@link HypervisorError} (a hung
   * daemon must not hang the launcher; the binding has no timeouts of its own).
   * @default 120000
   */
  readonly callTimeoutMs?: number;
}

// libvirt's messages for a missing domain (VIR_ERR_NO_DOMAIN), and virsh's when its lookup fails.
const NOT_FOUND = /Domain not found|failed to get domain/;

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : 'unknown error';
}

/** Translates a failure of the binding or of virsh into our error classes. */
export function toHypervisorError(e: unknown, operation: string, domain?: string): HypervisorError {
  if (e instanceof HypervisorError) return e;
  const stderr = toolStderr(e);
  const detail = stderr === '' ? messageOf(e).trim() : stderr;
  const ErrorClass = NOT_FOUND.test(detail) ? DomainNotFoundError : HypervisorError;
  return new ErrorClass(operation, domain, detail, { cause: e });
}

/** Reads `state.state` and `state.reason` from `virsh domstats --state` output. */
export function parseDomstatsState(output: string): { state: number; reason: number } | undefined {
  const state = /^\s*state\.state=(\d+)\s*$/m.exec(output)?.[1];
  const reason = /^\s*state\.reason=(\d+)\s*$/m.exec(output)?.[1];
  if (state === undefined || reason === undefined) return undefined;
  return { state: Number(state), reason: Number(reason) };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

class LibvirtHypervisor implements Hypervisor {
  private closed = false;

  constructor(
    private readonly conn: LibvirtConnection,
    private readonly uri: string,
    private readonly options: LibvirtOptions,
  ) {}

  private async call<T>(operation: string, domain: string | undefined, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new HypervisorError(operation, domain, 'the connection is closed');
    const timeoutMs = this.options.callTimeoutMs ?? 120_000;
    try {
      return await withTimeout(work(), timeoutMs, () => new HypervisorError(operation, domain, `libvirt did not answer within ${timeoutMs} ms`));
    } catch (e: unknown) {
      throw toHypervisorError(e, operation, domain);
    }
  }

  private onDomain<T>(operation: string, name: string, work: (domain: LibvirtDomain) => Promise<T>): Promise<T> {
    return this.call(operation, name, async () => work(await this.conn.domainLookupByName(name)));
  }

  async define(xml: string): Promise<string> {
    return this.call('define', undefined, async () => (await this.conn.domainDefineXML(xml)).getName());
  }

  start(name: string): Promise<void> {
    return this.onDomain('start', name, (d) => d.create());
  }

  shutdown(name: string): Promise<void> {
    return this.onDomain('shut down', name, (d) => d.shutdown());
  }

  async destroy(name: string): Promise<void> {
    try {
      await this.onDomain('destroy', name, (d) => d.destroy());
    } catch (e: unknown) {
      // Destroying what already stopped is the outcome asked for: cleanup paths stay idempotent.
      if (e instanceof DomainNotFoundError || !(await this.isShutoff(name))) throw e;
    }
  }

  /** Whether the domain is known to be shut off; false when even that cannot be read. */
  private async isShutoff(name: string): Promise<boolean> {
    return this.status(name).then((s) => s.state === 'Shutoff', () => false);
  }

  undefine(name: string): Promise<void> {
    return this.onDomain('undefine', name, (d) => d.undefine());
  }

  domainXml(name: string): Promise<string> {
    return this.onDomain('read the XML of', name, (d) => d.getXMLDesc());
  }

  pause(name: string): Promise<void> {
    return this.onDomain('pause', name, (d) => d.suspend());
  }

  resume(name: string): Promise<void> {
    return this.onDomain('resume', name, (d) => d.resume());
  }

  async status(name: string): Promise<DomainStatus> {
    // The lookup proves the connection (a dead daemon fails here) and tells "not found" exactly;
    // virsh then reads state and reason together, which the binding cannot (no virDomainGetState).
    await this.onDomain('read the state of', name, async () => undefined);
    const output = await this.call('read the state of', name, () => this.virsh(['domstats', '--state', '--', name]));
    const parsed = parseDomstatsState(output);
    if (parsed === undefined) throw new HypervisorError('read the state of', name, `unexpected virsh domstats output: ${output.trim()}`);
    return domainStatusFromLibvirt(parsed.state, parsed.reason);
  }

  /** The most bytes of one agent answer kept (virsh is cut off beyond it: the guest is not trusted). */
  private static readonly MAX_AGENT_ANSWER = 256 * 1024;

  async agentCommand(name: string, command: string, timeoutSeconds: number): Promise<string> {
    return this.call('ask the guest agent of', name, () => this.virsh(
      ['qemu-agent-command', '--timeout', String(timeoutSeconds), '--', name, command],
      { maxBuffer: LibvirtHypervisor.MAX_AGENT_ANSWER, timeout: (timeoutSeconds + 10) * 1000 },
    ));
  }

  /** virsh's stdout for `args` on this connection (C locale, no daemon autostart). */
  private async virsh(args: readonly string[], limits: { readonly maxBuffer?: number; readonly timeout?: number } = {}): Promise<string> {
    const env = { ...process.env, LC_ALL: 'C', LIBVIRT_AUTOSTART: '0' };
    return (await run(this.options.virsh ?? 'virsh', ['-c', this.uri, ...args], { encoding: 'utf8', env, ...limits })).stdout;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.call('close the connection to', undefined, () => this.conn.connectClose());
    } finally {
      // Even a failed close (dead daemon) leaves nothing to close again.
      this.closed = true;
    }
  }
}

/**
 * Opens a libvirt connection (e.g. a session daemon's `qemu:///session?socket=…`) as a
 * {@link Hypervisor}. Sets `LIBVIRT_AUTOSTART=0` for this process when unset: a session URI whose
 * daemon died must fail, not spawn a new daemon with this process's (root's) directories.
 */
export async function connectLibvirt(uri: string, options: LibvirtOptions = {}): Promise<Hypervisor> {
  process.env['LIBVIRT_AUTOSTART'] ??= '0';
  const conn = new LibvirtConnection({ uri });
  const timeoutMs = options.callTimeoutMs ?? 120_000;
  const operation = `connect to ${uri}`;
  try {
    await withTimeout(conn.connectOpen(), timeoutMs, () => new HypervisorError(operation, undefined, `no answer within ${timeoutMs} ms`));
  } catch (e: unknown) {
    throw toHypervisorError(e, operation);
  }
  return new LibvirtHypervisor(conn, uri, options);
}
