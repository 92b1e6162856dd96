/**
 * The launcher's guest agent poller, as KubeVirt's agent poller: once the domain runs, it asks the
 * QEMU guest agent (through the launcher's own libvirtd, `virsh qemu-agent-command`) for its
 * version, the guest's NICs, and less often its OS, host name and time zone, and reports what
 * changed. Cheap: a guest without an agent is asked ever less often (backing off to a ceiling); a
 * connected one every few seconds; answers are bounded (libvirt.ts) and parsed defensively
 * (launcher/guest-agent/parse.ts), so a hostile guest cannot grow the launcher or crash it.
 * @see https://github.com/kubevirt/kubevirt/tree/main/pkg/virt-launcher/virtwrap/agent-poller
 */
import type { Logger } from '../../core/log.js';
import { parseGuestInfo, parseHostName, parseNetworkInterfaces, parseOsInfo, parseTimezone } from '../guest-agent/parse.js';
import type { AgentFacts } from '../protocol/index.js';
import type { Hypervisor } from './hypervisor.js';

/** Where {@link pollGuestAgent} reports. */
export interface AgentPollerSink {
  /** Gets the facts each time they change (first when the agent answers). */
  readonly publish: (facts: AgentFacts) => void;
  readonly log: Logger;
}

/** Options of {@link pollGuestAgent}. */
export interface AgentPollerOptions {
  /** Between polls of the NICs while the agent answers (KubeVirt: about 10 s). @default 5000 */
  readonly intervalMs?: number;
  /** Between polls of OS info, host name and time zone while the agent answers. @default 60000 */
  readonly osInfoIntervalMs?: number;
  /** The first wait for an agent that does not answer; it doubles up to `maxBackoffMs`. @default 2000 */
  readonly minBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
  /** How long one agent command may take. @default 5 */
  readonly commandTimeoutSeconds?: number;
}

const cmd = (execute: string): string => JSON.stringify({ execute });

class Poller {
  private facts: AgentFacts = { connected: false, interfaces: [] };
  private reported = JSON.stringify(this.facts);
  private osInfoAt = 0;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  stopped = false;

  constructor(
    private readonly send: (command: string) => Promise<string>,
    private readonly domain: string,
    private readonly sink: AgentPollerSink,
    private readonly options: Required<AgentPollerOptions>,
  ) {
    this.backoff = options.minBackoffMs;
  }

  /** The agent's answer, or '' when it gave none (the parsers read '' as no answer). */
  private ask(execute: string): Promise<string> {
    return this.send(cmd(execute)).catch(() => '');
  }

  /** The slow facts (OS, host name, time zone): asked on connecting and then every `osInfoIntervalMs`. */
  private async slowFacts(): Promise<Pick<AgentFacts, 'osInfo' | 'hostname' | 'timezone'>> {
    const { osInfo, hostname, timezone } = this.facts;
    const kept = { ...(osInfo === undefined ? {} : { osInfo }), ...(hostname === undefined ? {} : { hostname }), ...(timezone === undefined ? {} : { timezone }) };
    if (this.facts.connected && Date.now() - this.osInfoAt < this.options.osInfoIntervalMs) return kept;
    this.osInfoAt = Date.now();
    const fresh = {
      osInfo: parseOsInfo(await this.ask('guest-get-osinfo')),
      hostname: parseHostName(await this.ask('guest-get-host-name')),
      timezone: parseTimezone(await this.ask('guest-get-timezone')),
    };
    const answered = Object.fromEntries(Object.entries(fresh).filter(([, v]) => v !== undefined)) as Partial<typeof kept>;
    return { ...kept, ...answered };
  }

  /** One round: undefined when the agent did not answer `guest-info`. */
  private async round(): Promise<AgentFacts | undefined> {
    const info = parseGuestInfo(await this.ask('guest-info'));
    if (info === undefined) return undefined;
    const interfaces = parseNetworkInterfaces(await this.ask('guest-network-get-interfaces')) ?? this.facts.interfaces;
    return { connected: true, ...info, interfaces, ...(await this.slowFacts()) };
  }

  async tick(): Promise<void> {
    const next = await this.round().catch((err: unknown) => {
      this.sink.log.warn({ err, domain: this.domain }, 'Could not poll the guest agent');
      return undefined;
    });
    if (this.stopped) return;
    if (next === undefined) {
      // No agent: what it said is kept (KubeVirt's cache does) but it no longer counts as connected.
      this.facts = { ...this.facts, connected: false };
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs);
    } else {
      this.facts = next;
      this.backoff = this.options.minBackoffMs;
    }
    const text = JSON.stringify(this.facts);
    if (text !== this.reported) {
      this.reported = text;
      this.sink.log.info({ domain: this.domain, connected: this.facts.connected }, 'Guest agent facts changed');
      this.sink.publish(this.facts);
    }
    this.schedule(next === undefined ? this.backoff : this.options.intervalMs);
  }

  schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/**
 * Polls the guest agent of a running domain until the returned function is called, reporting to
 * `sink` what changed. Without `agentCommand` on the port, it does nothing.
 */
export function pollGuestAgent(h: Hypervisor, domain: string, sink: AgentPollerSink, options: AgentPollerOptions = {}): () => void {
  const agentCommand = h.agentCommand?.bind(h);
  if (agentCommand === undefined) return () => undefined;
  const resolved: Required<AgentPollerOptions> = {
    intervalMs: options.intervalMs ?? 5_000,
    osInfoIntervalMs: options.osInfoIntervalMs ?? 60_000,
    minBackoffMs: options.minBackoffMs ?? 2_000,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    commandTimeoutSeconds: options.commandTimeoutSeconds ?? 5,
  };
  const poller = new Poller((command) => agentCommand(domain, command, resolved.commandTimeoutSeconds), domain, sink, resolved);
  poller.schedule(resolved.minBackoffMs);
  return () => poller.stop();
}
