/**
 * Helpers the device rule tests share: spec contexts for a VMI and for a VM template, and specs
 * built from KubeVirt-shaped fragments. Test-only; no validator imports this file.
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../../core/cluster-config.js';
import { path, type FieldPath } from '../../../core/field-path.js';
import type { VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import type { Cause } from '../../cause.js';
import type { SpecContext, SpecValidator } from '../types.js';

/** `spec`, where a VMI's rules start. */
export const VMI_PATH: FieldPath = path('spec');
/** `spec.template.spec`, where a VM's or replica set's rules start. */
export const TEMPLATE_PATH: FieldPath = path('spec', 'template', 'spec');

/** A VMI's context, with cluster settings overridden as given. */
export function vmiContext(cfg: Partial<ClusterConfig> = {}): SpecContext {
  return { cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, metadata: { name: 'testvmi' }, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' };
}

/** A VM template's context. */
export function templateContext(cfg: Partial<ClusterConfig> = {}): SpecContext {
  return { ...vmiContext(cfg), metadataPath: path('spec', 'template', 'metadata'), origin: 'template' };
}

/** A spec with the given devices and other spec fields (no defaults applied). */
export function specWith(devices: VirtualMachineInstanceSpec['domain']['devices'], rest: Partial<VirtualMachineInstanceSpec> = {}): VirtualMachineInstanceSpec {
  return { domain: { devices }, ...rest };
}

/** The causes a validator gives for a VMI spec at `spec`. */
export function runOnVmi(validate: SpecValidator, spec: VirtualMachineInstanceSpec, cfg: Partial<ClusterConfig> = {}): Cause[] {
  return validate(spec, VMI_PATH, vmiContext(cfg));
}

/** One denied case of a rule table: the spec, and the one cause it must give. */
export interface DeniedCase {
  /** The rule id, e.g. `B05`. */
  readonly id: string;
  readonly title: string;
  readonly spec: VirtualMachineInstanceSpec;
  readonly field: string;
  readonly type: Cause['type'];
  /** Text the message must contain: the offending value. */
  readonly value: string;
  /** Validate as a VM template (`spec.template.spec`) instead of a VMI. @default false */
  readonly template?: boolean;
  readonly cfg?: Partial<ClusterConfig>;
}

/** The causes of a case, validated at its path and in its context. */
export function causesOf(validate: SpecValidator, c: Pick<DeniedCase, 'spec' | 'template' | 'cfg'>): Cause[] {
  return c.template === true ? validate(c.spec, TEMPLATE_PATH, templateContext(c.cfg)) : validate(c.spec, VMI_PATH, vmiContext(c.cfg));
}
