/**
 * What every volume planner gets: the VMI, the host facts, and where the volume sits in the spec.
 * Internal to launcher/volumes.
 */
import type { VolumeSource } from '../converter/context.js';
import type { VirtualMachineInstance, Volume } from '../../crd-gen/index.js';
import type { Access, PrepareStep, VolumePlanFacts } from './types.js';

/** The VMI-wide inputs of planning. */
export interface PlanInput {
  readonly vmi: Readonly<VirtualMachineInstance>;
  readonly facts: VolumePlanFacts;
  /** The VMI's namespace, a checked DNS-1123 label. */
  readonly namespace: string;
}

/** One volume being planned. */
export interface VolumeAt {
  readonly volume: Readonly<Volume>;
  /** `spec.volumes[i]`. */
  readonly field: string;
  /** The checked volume name. */
  readonly name: string;
  readonly access: Access;
}

/** What a planner returns for one volume. */
export interface VolumePart {
  readonly source: VolumeSource;
  readonly steps: readonly PrepareStep[];
}

/** A planner of one volume kind. */
export type VolumePlanner = (input: PlanInput, at: VolumeAt) => VolumePart;
