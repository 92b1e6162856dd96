/**
 * One virt-launcher: prepares a VMI's volumes, runs its domain in a private libvirtd, reports the
 * domain's states on the protocol socket, shares the serial console, and on a stop request asks the
 * guest to power off (ACPI), waits up to the grace period, then destroys it. Whatever happens, it
 * cleans up: no QEMU, no libvirtd, no prepared file outlives it. The steps are IO; every decision
 * about the domain itself is the pure converter's.
 * @see https://github.com/kubevirt/kubevirt/tree/main/cmd/virt-launcher
 */
import { chown, mkdir, rm } from 'node:fs/promises';
import type { Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { convertVmiToDomain } from '../converter/index.js';
import type { ConverterContext } from '../converter/context.js';
import { decodeDomain, encodeDomain } from '../domain/xml.js';
import { LAUNCHER_PROTOCOL_VERSION, type AgentFacts, type DomainStatus, type HelloEvent, type LauncherCommand, type LauncherPhase } from '../protocol/index.js';
import { startConsoleProxy, type ConsoleProxy } from './console.js';
import { watchDomain, type Hypervisor } from './hypervisor.js';
import { vmiIdentity, type LauncherDirs } from './launcher-dirs.js';
import type { SessionDaemon } from './libvirtd.js';
import { startProtocolServer, type ProtocolServer } from '../protocol/runtime/server.js';
import type { FileOwner } from './unprivileged-user.js';
import type { PreparedNetwork } from './pod-network.js';
import { pollGuestAgent, type AgentPollerOptions } from './agent-poller.js';
import { gracePeriodSecondsOf } from '../../core/implicit-defaults.js';
import { hasPersistentTpm } from '../../core/tpm.js';

/** What volume preparation hands over: the sources the converter sees, and how to undo it. */
export interface PreparedVolumes {
  readonly volumes: ConverterContext['volumes'];
  readonly kernelBoot?: ConverterContext['kernelBoot'];
  cleanup(): Promise<void>;
}

/** Everything the launcher uses from the outside world, passed in (main.ts wires the real ones). */
export interface LauncherDeps {
  readonly log: Logger;
  /** Host facts and cluster settings for the converter, except what the launcher itself decides. */
  readonly context: Omit<ConverterContext, 'volumes' | 'kernelBoot' | 'serialSocketPath' | 'serialLogPath' | 'vncSocketPath' | 'nvramPath'>;
  /** The account QEMU runs as, when this process is root. */
  readonly qemuUser?: FileOwner;
  prepareVolumes(vmi: Readonly<VirtualMachineInstance>, dirs: LauncherDirs): Promise<PreparedVolumes>;
  /**
   * Binds the VMI's NICs to the pod network when there is one (pod-network.ts); without it, the
   * context's `networkMode` stands (QEMU user networking).
   */
  prepareNetwork?(vmi: Readonly<VirtualMachineInstance>): Promise<PreparedNetwork>;
  startDaemon(dirs: LauncherDirs): Promise<SessionDaemon>;
  connect(uri: string): Promise<Hypervisor>;
  /** Sends the guest's console bytes somewhere (the launcher's stdout), when wanted. */
  readonly consoleOut?: (chunk: Buffer) => void;
  /** Resolves when a stop was asked for (SIGTERM/SIGINT). */
  readonly stopRequested: Promise<void>;
  /** A protocol server already serving `dirs.protocolSocket` (--await-vmi); the run takes it over. */
  readonly server?: ProtocolServer;
  /** Throws, saying what to install, when this host lacks a program the VMI needs (swtpm for a TPM). */
  readonly requireHostTools?: (vmi: Readonly<VirtualMachineInstance>) => Promise<void>;
  /**
   * Keeps a persistent TPM's state with the VM's data (tpm-state.ts): given the defined domain's
   * uuid, before the start. Absent, a persistent TPM's state lives and dies with this launcher's
   * libvirtd, as a non-persistent one's always does.
   */
  readonly keepTpmState?: (vmi: Readonly<VirtualMachineInstance>, daemonDir: string, domainUuid: string) => Promise<void>;
  /** Poll interval of the domain state. @default 250 */
  readonly pollMs?: number;
  /** How often the guest agent is asked (agent-poller.ts's defaults when absent). */
  readonly agentPoll?: AgentPollerOptions;
}

/** How a launcher ended. */
export interface LauncherOutcome {
  readonly phase: 'Stopped' | 'Failed';
  readonly reason: string;
  readonly message: string;
  /** The last domain status seen. */
  readonly domain?: DomainStatus;
}

const FINAL_STATES: ReadonlySet<string> = new Set(['Shutoff', 'Crashed', 'NoState']);

class Run {
  readonly cleanups: (() => Promise<void>)[] = [];
  server: ProtocolServer | undefined;
  hypervisor: Hypervisor | undefined;
  console: ConsoleProxy | undefined;
  domain: DomainStatus | undefined;
  name = '';
  stopAsked = false;
  private settle!: (o: LauncherOutcome) => void;
  readonly outcome = new Promise<LauncherOutcome>((done) => { this.settle = done; });
  private settled = false;

  constructor(readonly vmi: Readonly<VirtualMachineInstance>, readonly dirs: LauncherDirs, readonly deps: LauncherDeps) {}

  phase(phase: LauncherPhase, reason?: string, message?: string): void {
    this.deps.log.info({ phase, reason }, message ?? `Launcher phase ${phase}`);
    this.server?.publish({ type: 'phase', phase, ...(reason ? { reason } : {}), ...(message ? { message } : {}), time: new Date().toISOString() });
  }

  end(outcome: LauncherOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
  }

  get ended(): boolean {
    return this.settled;
  }
}

async function ownedDir(path: string, owner: FileOwner | undefined, mode: number): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  if (owner !== undefined) await chown(path, owner.uid, owner.gid);
}

async function makeDirs(run: Run): Promise<void> {
  const { dirs, deps } = run;
  await mkdir(dirs.runDir, { recursive: true, mode: 0o711 });
  await mkdir(dirs.stateDir, { recursive: true, mode: 0o711 });
  run.cleanups.push(() => rm(dirs.runDir, { recursive: true, force: true }), () => rm(dirs.stateDir, { recursive: true, force: true }));
  await ownedDir(dirs.qemuDir, deps.qemuUser, 0o700);
  await ownedDir(`${dirs.stateDir}/nvram`, deps.qemuUser, 0o700);
}

function converterContext(run: Run, volumes: PreparedVolumes, network: PreparedNetwork | undefined): ConverterContext {
  const { dirs, deps } = run;
  return {
    ...deps.context,
    ...network?.context,
    volumes: volumes.volumes,
    ...(volumes.kernelBoot === undefined ? {} : { kernelBoot: volumes.kernelBoot }),
    serialSocketPath: dirs.serialSocket,
    serialLogPath: dirs.serialLog,
    vncSocketPath: dirs.vncSocket,
    nvramPath: dirs.nvramPath,
  };
}

const STOPPED_BEFORE_START: LauncherOutcome = { phase: 'Stopped', reason: 'StopRequested', message: 'Stopped before the domain started' };

/** Prepares and starts; returns false when a stop request came first (then nothing was started). */
async function bootDomain(run: Run): Promise<boolean> {
  const { vmi, dirs, deps } = run;
  await deps.requireHostTools?.(vmi);
  const volumes = await deps.prepareVolumes(vmi, dirs);
  run.cleanups.push(() => volumes.cleanup());
  const network = await deps.prepareNetwork?.(vmi);
  if (network !== undefined) {
    run.cleanups.push(() => network.cleanup());
    run.server?.publish({ type: 'network', interfaces: network.interfaces, time: new Date().toISOString() });
  }
  const domainSpec = convertVmiToDomain(vmi, converterContext(run, volumes, network));
  if (run.stopAsked) return false;
  run.phase('Starting');
  const daemon = await deps.startDaemon(dirs);
  run.cleanups.push(() => daemon.stop());
  void daemon.exited.then((exit) => {
    if (run.ended) return;
    const how = exit.signal === null ? `exit status ${String(exit.code)}` : `signal ${exit.signal}`;
    run.end({ phase: 'Failed', reason: 'LibvirtdDied', message: `libvirtd ended unexpectedly (${how})`, ...(run.domain ? { domain: run.domain } : {}) });
  });
  const h = await deps.connect(daemon.uri);
  run.hypervisor = h;
  run.cleanups.push(() => h.close());
  run.name = await h.define(encodeDomain(domainSpec));
  if (run.stopAsked) return false;
  if (deps.keepTpmState !== undefined && hasPersistentTpm(vmi.spec)) await deps.keepTpmState(vmi, dirs.daemonDir, await definedUuid(h, run.name));
  // The console reader starts with the domain: it connects as soon as QEMU's serial socket exists
  // (QEMU listens before the guest runs), so no output is missed and Running is not delayed by it.
  const console = domainSpec.devices.serials.length > 0 ? attachConsole(run) : Promise.resolve();
  console.catch(() => undefined);
  await h.start(run.name);
  deps.log.info({ domain: run.name, type: domainSpec.type }, 'Started domain');
  await console;
  return true;
}

/** The uuid libvirt gave the defined domain (the converter writes none, as KubeVirt's). */
async function definedUuid(h: Hypervisor, name: string): Promise<string> {
  const uuid = decodeDomain(await h.domainXml(name)).uuid;
  if (uuid === undefined) throw new Error(`libvirt reports no uuid for the defined domain ${name}`);
  return uuid;
}

async function attachConsole(run: Run): Promise<void> {
  const proxy = await startConsoleProxy({ serialSocket: run.dirs.serialSocket, listenPath: run.dirs.consoleSocket });
  run.console = proxy;
  run.cleanups.push(() => proxy.close());
  const out = run.deps.consoleOut;
  if (out !== undefined) {
    out(proxy.history());
    proxy.onOutput(out);
  }
}

/** Watches the domain's state and polls its guest agent; returns the function that stops both. */
function watch(run: Run): () => void {
  const h = run.hypervisor as Hypervisor;
  const publish = (facts: AgentFacts): void => run.server?.publish({ type: 'agent', ...facts, time: new Date().toISOString() });
  const stopAgent = pollGuestAgent(h, run.name, { publish, log: run.deps.log }, run.deps.agentPoll);
  const stopDomain = watchDomain(h, run.name, (status) => {
    run.domain = status;
    run.deps.log.info({ domain: run.name, state: status.state, reason: status.reason }, 'Domain changed state');
    run.server?.publish({ type: 'domain', ...status, time: new Date().toISOString() });
    if (FINAL_STATES.has(status.state)) run.end({ phase: 'Stopped', reason: `Domain${status.state}`, message: `The domain is ${status.state} (${status.reason})`, domain: status });
  }, { intervalMs: run.deps.pollMs ?? 250, onError: (err) => run.deps.log.warn({ err, domain: run.name }, 'Could not read the domain state') });
  return () => {
    stopAgent();
    stopDomain();
  };
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** ACPI power-off, then destroy when the guest has not stopped within the grace period. */
async function stopGuest(run: Run): Promise<void> {
  const h = run.hypervisor;
  if (h === undefined || run.ended) return;
  const grace = gracePeriodSecondsOf(run.vmi.spec);
  run.phase('Stopping', 'StopRequested', `Asked the guest to shut down; destroying it after ${grace} s`);
  await h.shutdown(run.name).catch((err: unknown) => run.deps.log.warn({ err }, 'Could not send the ACPI shutdown'));
  const deadline = Date.now() + grace * 1000;
  while (!run.ended && Date.now() < deadline) await sleep(100);
  if (run.ended) return;
  run.deps.log.info({ domain: run.name, grace }, 'Grace period over, destroying the domain');
  await h.destroy(run.name);
}

async function handleCommand(run: Run, command: 'shutdown' | 'destroy' | 'pause' | 'resume'): Promise<void> {
  const h = run.hypervisor;
  if (h === undefined || run.name === '') throw new Error('the domain is not running yet');
  if (command === 'shutdown') void stopGuest(run);
  else if (command === 'destroy') await h.destroy(run.name);
  else if (command === 'pause') await h.pause(run.name);
  else await h.resume(run.name);
}

async function cleanUp(run: Run): Promise<void> {
  const h = run.hypervisor;
  if (h !== undefined && run.name !== '') {
    await h.destroy(run.name).catch(() => undefined);
    await h.undefine(run.name).catch(() => undefined);
  }
  // In reverse order of creation; each step runs even when an earlier one failed.
  const failures: unknown[] = [];
  for (const step of [...run.cleanups].reverse()) await step().catch((e: unknown) => failures.push(e));
  if (failures.length > 0) throw new AggregateError(failures, 'Could not clean up everything the launcher created');
}

function failureOf(e: unknown): LauncherOutcome {
  const message = e instanceof Error ? e.message : String(e);
  const reason = e instanceof Error && e.name === 'ConversionError' ? 'ConversionFailed' : 'LaunchFailed';
  return { phase: 'Failed', reason, message };
}

/**
 * Runs the VMI until its domain stops, a stop is requested (then the guest gets its grace period),
 * or something fails; then cleans up and resolves with how it ended. Never leaves processes or
 * prepared files behind on a normal return; a thrown error means cleanup itself failed.
 */
export async function runLauncher(vmi: Readonly<VirtualMachineInstance>, dirs: LauncherDirs, deps: LauncherDeps): Promise<LauncherOutcome> {
  const run = new Run(vmi, dirs, deps);
  let stopWatch = (): void => undefined;
  try {
    await makeDirs(run);
    const identity = vmiIdentity(vmi);
    const hello: HelloEvent = {
      type: 'hello', protocol: LAUNCHER_PROTOCOL_VERSION, vmi: identity, domain: `${identity.namespace}_${identity.name}`,
      pid: process.pid, consoleSocket: dirs.consoleSocket, vncSocket: dirs.vncSocket, hypervisor: deps.context.kvmUsable ? 'kvm' : 'qemu',
    };
    const handle = (command: LauncherCommand['command']): Promise<void> => handleCommand(run, command);
    deps.server?.takeOver(hello, handle);
    run.server = deps.server ?? await startProtocolServer(dirs.protocolSocket, hello, handle);
    run.cleanups.push(() => run.server?.close() ?? Promise.resolve());
    run.phase('Preparing');
    let booted = false;
    void deps.stopRequested.then(() => {
      run.stopAsked = true;
      // Mid-boot the stop waits for the boot step in progress; once running, the guest gets its grace period.
      if (booted) void stopGuest(run).catch((e: unknown) => run.end(failureOf(e)));
    });
    booted = await bootDomain(run);
    if (!booted) run.end(STOPPED_BEFORE_START);
    else if (run.stopAsked) void stopGuest(run).catch((e: unknown) => run.end(failureOf(e)));
    if (!run.ended) {
      run.phase('Running');
      stopWatch = watch(run);
    }
  } catch (e: unknown) {
    run.end(failureOf(e));
  }
  const outcome = await run.outcome;
  stopWatch();
  run.phase(outcome.phase, outcome.reason, outcome.message);
  await cleanUp(run);
  return outcome;
}
