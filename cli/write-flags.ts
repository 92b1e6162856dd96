/**
 * The flags kubectl's writers share (`apply`, `create`, `replace`, `patch`, `label`, `annotate`,
 * `edit`): `--validate` (field validation, Strict unless relaxed) and `--dry-run`, parsed into what
 * the API and the manifest reader take. Pure.
 */
import type { FieldValidation, WriteOptions } from '../core/kube.js';
import type { DuplicateFields } from '../core/manifests.js';
import { UsageError } from './command.js';

/** How strictly a write's fields are checked: the API's fieldValidation and what a repeated manifest field is. */
export interface Validation {
  readonly fieldValidation: FieldValidation;
  readonly duplicates: DuplicateFields;
}

const VALIDATIONS: Readonly<Record<string, Validation>> = {
  strict: { fieldValidation: 'Strict', duplicates: 'error' },
  true: { fieldValidation: 'Strict', duplicates: 'error' },
  warn: { fieldValidation: 'Warn', duplicates: 'warn' },
  ignore: { fieldValidation: 'Ignore', duplicates: 'ignore' },
  false: { fieldValidation: 'Ignore', duplicates: 'ignore' },
};

/** `--validate`'s value as kubectl reads it: strict (or true, the default), warn, ignore (or false). */
export function parseValidate(value: string | undefined): Validation {
  const hit = VALIDATIONS[(value ?? 'strict').toLowerCase()];
  if (hit === undefined) throw new UsageError(`invalid - validate option ${JSON.stringify(value)}; must be one of: strict (or true), warn, ignore (or false)`);
  return hit;
}

/** `--dry-run`: none (write), client (send nothing), server (the API admits and stores nothing). */
export type DryRun = 'none' | 'client' | 'server';

/** `--dry-run`'s value, as kubectl checks it. */
export function parseDryRun(value: string | undefined): DryRun {
  const v = value ?? 'none';
  if (v === 'none' || v === 'client' || v === 'server') return v;
  throw new UsageError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

/** The parseArgs options of the shared write flags. */
export const WRITE_FLAG_OPTIONS = {
  validate: { type: 'string' },
  'dry-run': { type: 'string' },
} as const;

/** The usage lines of the shared write flags. */
export const WRITE_FLAG_USAGE = [
  '  --validate strict|warn|ignore   field validation: strict (default; also true) refuses unknown or repeated fields, warn reports them, ignore (also false) accepts them',
  '  --dry-run none|client|server    client: send nothing; server: the API admits the write and stores nothing (default none)',
];

/** The API's write options of the flags (a client dry run never reaches the API). */
export function writeOptions(validation: Validation, dryRun: DryRun): WriteOptions {
  return { fieldValidation: validation.fieldValidation, ...(dryRun === 'server' ? { dryRun: true } : {}) };
}

/** The suffix kubectl puts after a dry run's result line. */
export function dryRunSuffix(dryRun: DryRun): string {
  return dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
}
