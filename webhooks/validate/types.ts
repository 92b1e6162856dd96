/**
 * The shape every semantic validator has: pure, from data to causes (never throwing for bad input),
 * so the registry is an array and adding a rule is one file and one entry (docs/ARCHITECTURE.md, Admission).
 */
import type { ClusterConfig } from '../../core/cluster-config.js';
import type { FieldPath } from '../../core/field-path.js';
import type { KubeObjectMeta, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import type { Cause } from '../cause.js';

/** Where a VMI spec being validated comes from: a VMI itself, or a VM's / replica set's template. */
export type SpecOrigin = 'VirtualMachineInstance' | 'template';

/** What a spec validator may look at besides the spec. */
export interface SpecContext {
  readonly cfg: ClusterConfig;
  /** The VMI's metadata, or the template's (labels, annotations, name). */
  readonly metadata: Readonly<KubeObjectMeta> | undefined;
  /** Where that metadata sits (`metadata`, or `spec.template.metadata`). */
  readonly metadataPath: FieldPath;
  /** Some KubeVirt rules run for VMIs only (volume↔disk mapping, mandatory memory). */
  readonly origin: SpecOrigin;
}

/**
 * One group of KubeVirt's VMI spec rules. `path` is the spec's own path: `spec` for a VMI,
 * `spec.template.spec` for a VM or replica set, so causes carry KubeVirt's field paths.
 */
export type SpecValidator = (spec: Readonly<VirtualMachineInstanceSpec>, path: FieldPath, ctx: SpecContext) => Cause[];
