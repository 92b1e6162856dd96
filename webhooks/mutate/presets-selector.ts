/**
 * Label selectors for preset selection: re-exported from core/labels.ts, where the selector code lives.
 */
export { labelKeyProblem, labelValueProblem, parseLabelSelector, SELECTOR_OPERATORS } from '../../core/labels.js';
export type { Labels, ParsedSelector } from '../../core/labels.js';
