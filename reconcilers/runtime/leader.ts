/**
 * Leader election over a coordination.k8s.io/v1 Lease, with client-go's semantics (part of the
 * controller runtime: virt-controller runs its controllers only while leading): a candidate
 * takes the lease when it is absent, expired (renewTime + leaseDurationSeconds < now), released or
 * already its own; the leader renews every retryPeriod; writes carry the lease's resourceVersion,
 * so a 409 means another candidate won; a leader that cannot renew within renewDeadline steps down.
 * Stopping a leader releases the lease (client-go's ReleaseOnCancel).
 * @see https://pkg.go.dev/k8s.io/client-go/tools/leaderelection
 */
import { isAlreadyExists, isConflict, isNotFound } from '../../core/errors.js';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { formatKubeMicroTime } from '../../core/time.js';

/** The Lease type. */
export const LEASE_TYPE = ExternalGvk.Lease;

/** A coordination.k8s.io/v1 Lease (the fields leader election uses). */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Options of {@link runLeaderElection}. */
export interface LeaderElectionOptions {
  readonly kube: KubeApi;
  readonly namespace: string;
  readonly name: string;
  /** This candidate's identity (pod name, hostname_uuid). */
  readonly identity: string;
  /** @default 15 */
  readonly leaseDurationSeconds?: number;
  /** @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** @default 2 */
  readonly retryPeriodSeconds?: number;
  readonly now: () => Date;
  readonly onStartedLeading: () => void;
  /** Called once when a leader steps down (renewal failed past renewDeadline, or stop()). */
  readonly onStoppedLeading: () => void;
  readonly log: Logger;
}

/** A running election. */
export interface LeaderElection {
  /** Whether this candidate holds the lease now. */
  isLeader(): boolean;
  /** Ends the election; a leader releases the lease (holderIdentity cleared) first. */
  stop(): Promise<void>;
  /** Resolves when the election ended: stopped, or leadership lost (client-go does not re-run). */
  readonly done: Promise<void>;
}

/** What a candidate should write, or `undefined` when the lease is validly held by someone else. */
export function nextLease(current: Lease | undefined, identity: string, leaseDurationSeconds: number, now: Date): Lease['spec'] | undefined {
  const spec = current?.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  if (heldByOther(holder, identity) && !leaseExpired(spec, now)) return undefined;
  const stamp = formatKubeMicroTime(now);
  const transitions = spec.leaseTransitions ?? 0;
  if (holder === identity) return { ...spec, holderIdentity: identity, leaseDurationSeconds, acquireTime: spec.acquireTime ?? stamp, renewTime: stamp, leaseTransitions: transitions };
  const taken = current === undefined ? 0 : transitions + 1;
  return { holderIdentity: identity, leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: taken };
}

const heldByOther = (holder: string, identity: string): boolean => holder !== '' && holder !== identity;

/** Whether a lease's holder has not renewed it within its duration. */
export function leaseExpired(spec: NonNullable<Lease['spec']>, now: Date): boolean {
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  if (Number.isNaN(renewed)) return true;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
}

interface Timing {
  readonly durationSeconds: number;
  readonly deadlineMs: number;
  readonly retryMs: number;
}

class Election implements LeaderElection {
  readonly done: Promise<void>;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private finish!: () => void;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: LeaderElectionOptions, private readonly t: Timing) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    void this.loop();
  }

  isLeader(): boolean {
    return this.leading;
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
    await this.bounded(this.inFlight.catch(() => undefined));
    if (this.leading) await this.bounded(this.release());
    this.stepDown();
    this.finish();
    return this.done;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const ok = await this.attempt();
      if (this.stopped) return;
      if (ok) this.onSuccess();
      else if (this.leading && this.o.now().getTime() - this.lastRenew > this.t.deadlineMs) {
        this.o.log.warn({ namespace: this.o.namespace, name: this.o.name, identity: this.o.identity }, 'Could not renew Lease within the renew deadline, stepped down');
        this.stepDown();
        this.stopped = true;
        this.finish();
        return;
      }
      await this.sleep(this.t.retryMs);
    }
  }

  private onSuccess(): void {
    this.lastRenew = this.o.now().getTime();
    if (this.leading) return;
    this.leading = true;
    this.o.log.info({ namespace: this.o.namespace, name: this.o.name, identity: this.o.identity }, 'Acquired Lease');
    this.o.onStartedLeading();
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.o.onStoppedLeading();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  /** One tryAcquireOrRenew, bounded by the renew deadline so a hung call cannot keep a stale leader. */
  private async attempt(): Promise<boolean> {
    const call = this.tryAcquireOrRenew();
    this.inFlight = call;
    return (await this.bounded(call)) ?? false;
  }

  /** `work`'s result, or undefined once the renew deadline passed. */
  private bounded<T>(work: Promise<T>): Promise<T | undefined> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<undefined>((resolve) => (timeout = setTimeout(() => resolve(undefined), this.t.deadlineMs)));
    return Promise.race([work, limit]).finally(() => clearTimeout(timeout));
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity } = this.o;
    try {
      const current = await this.read();
      const spec = nextLease(current, identity, this.t.durationSeconds, this.o.now());
      if (spec === undefined) return false;
      if (current === undefined) await kube.create<Lease>({ ...LEASE_TYPE, metadata: { name, namespace }, spec });
      else await kube.update<Lease>({ ...current, spec });
      return true;
    } catch (e) {
      if (!isConflict(e) && !isAlreadyExists(e)) this.o.log.warn({ err: e, namespace, name }, 'Could not update Lease');
      return false;
    }
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.o.kube.get<Lease>(LEASE_TYPE, this.o.namespace, this.o.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async release(): Promise<void> {
    try {
      const current = await this.read();
      if (current?.spec?.holderIdentity !== this.o.identity) return;
      const stamp = formatKubeMicroTime(this.o.now());
      await this.o.kube.update<Lease>({ ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: stamp, acquireTime: stamp } });
    } catch (e) {
      this.o.log.warn({ err: e, namespace: this.o.namespace, name: this.o.name }, 'Could not release Lease');
    }
  }
}

/** Starts campaigning for the lease `namespace/name`; see the module doc for the semantics. */
export function runLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const durationSeconds = options.leaseDurationSeconds ?? 15;
  const deadline = options.renewDeadlineSeconds ?? 10;
  const retry = options.retryPeriodSeconds ?? 2;
  if (!(durationSeconds > deadline)) throw new RangeError(`leaseDurationSeconds (${durationSeconds}) must be greater than renewDeadlineSeconds (${deadline})`);
  if (!(deadline > retry)) throw new RangeError(`renewDeadlineSeconds (${deadline}) must be greater than retryPeriodSeconds (${retry})`);
  return new Election(options, { durationSeconds, deadlineMs: deadline * 1000, retryMs: retry * 1000 });
}
