/**
 * `kvt run`'s progress: which state of each object the user is told about, and how the line reads.
 * Pure: a tracker takes every observed object version and returns the lines to print (only when
 * the shown state changed), each with the time since the run started. Presets applied by admission
 * are reported once per instance, from the `virtualmachinepreset.kubevirt.io/<name>` annotations.
 */
import { AnnotationPrefixes } from '../crd-gen/index.js';
import { isFinalPhase } from '../core/phases.js';

/** The parts of an object progress looks at. */
export interface Observed {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>>; readonly deletionTimestamp?: string };
  readonly status?: unknown;
}


function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function vmiState(status: unknown): string | undefined {
  const phase = text(field(status, 'phase'));
  if (phase === undefined) return undefined;
  const node = text(field(status, 'nodeName'));
  const reason = text(field(status, 'reason'));
  const detail = [node !== undefined && phase !== 'Failed' ? `on ${node}` : undefined, reason].filter((x) => x !== undefined);
  return detail.length === 0 ? phase : `${phase} (${detail.join(', ')})`;
}

function replicaSetState(status: unknown): string | undefined {
  const replicas = field(status, 'replicas');
  if (typeof replicas !== 'number') return undefined;
  const ready = field(status, 'readyReplicas');
  return `${replicas} replicas, ${typeof ready === 'number' ? ready : 0} ready`;
}

/** The state shown for an object, or undefined when there is nothing to show yet. */
export function shownState(object: Observed): string | undefined {
  if (object.metadata.deletionTimestamp !== undefined) {
    // A VMI that ended while being deleted says how it ended (Succeeded after its ACPI shutdown).
    const phase = object.kind === 'VirtualMachineInstance' ? text(field(object.status, 'phase')) : undefined;
    return isFinalPhase(phase) ? vmiState(object.status) : 'Terminating';
  }
  switch (object.kind) {
    case 'VirtualMachine':
      return text(field(object.status, 'printableStatus'));
    case 'VirtualMachineInstance':
      return vmiState(object.status);
    case 'VirtualMachineInstanceReplicaSet':
      return replicaSetState(object.status);
    default:
      return undefined;
  }
}

/** The presets an instance got from admission, by name. */
export function appliedPresets(object: Observed): string[] {
  return Object.keys(object.metadata.annotations ?? {})
    .filter((k) => k.startsWith(AnnotationPrefixes.presetApplied))
    .map((k) => k.slice(AnnotationPrefixes.presetApplied.length))
    .sort();
}

/** Seconds with one decimal, as the progress lines show elapsed time. */
export function elapsed(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** Remembers what was shown per object and turns observations into progress lines. */
export class ProgressTracker {
  private readonly shown = new Map<string, string>();
  private readonly presetsShown = new Set<string>();

  constructor(private readonly startedAt: number) {}

  /** The lines to print for this observation at time `now` (ms since the epoch). */
  observe(object: Observed, now: number): string[] {
    const id = `${object.kind}/${object.metadata.name ?? ''}`;
    const key = `${object.metadata.namespace ?? ''}/${id}`;
    const stamp = `[${elapsed(now - this.startedAt).padStart(6)}]`;
    const lines: string[] = [];
    const presets = object.kind === 'VirtualMachineInstance' ? appliedPresets(object) : [];
    if (presets.length > 0 && !this.presetsShown.has(key)) {
      this.presetsShown.add(key);
      lines.push(`${stamp} ${id}: preset ${presets.join(', ')} applied`);
    }
    const state = shownState(object);
    if (state !== undefined && this.shown.get(key) !== state) {
      this.shown.set(key, state);
      lines.push(`${stamp} ${id}: ${state}`);
    }
    return lines;
  }

  /** An object is gone: say so once. */
  deleted(object: Observed, now: number): string[] {
    const id = `${object.kind}/${object.metadata.name ?? ''}`;
    const key = `${object.metadata.namespace ?? ''}/${id}`;
    if (!this.shown.has(key) && !this.presetsShown.has(key)) return [];
    this.shown.delete(key);
    this.presetsShown.delete(key);
    return [`[${elapsed(now - this.startedAt).padStart(6)}] ${id}: deleted`];
  }
}
