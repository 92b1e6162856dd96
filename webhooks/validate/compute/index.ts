/**
 * The compute rules of KubeVirt's VMI spec validation, in KubeVirt's order.
 * (Filled in rule by rule; each entry is one file of this folder.)
 */
import type { SpecValidator } from '../types.js';

/** Every compute validator, in order. */
export const COMPUTE_VALIDATORS: readonly SpecValidator[] = [];
