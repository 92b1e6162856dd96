/**
 * The devices rules of KubeVirt's VMI spec validation, in KubeVirt's order.
 * (Filled in rule by rule; each entry is one file of this folder.)
 */
import type { SpecValidator } from '../types.js';

/** Every devices validator, in order. */
export const DEVICE_VALIDATORS: readonly SpecValidator[] = [];
