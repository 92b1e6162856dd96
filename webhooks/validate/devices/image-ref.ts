/**
 * Admission's wording of the image reference grammar (core/image-ref.ts, which the local image
 * store checks with too): the store refuses any other reference when the launcher resolves it, so
 * admission refuses it first, on the field that holds it. Each reason reads after "which".
 */
import { MAX_IMAGE_NAME_LENGTH, imageRefFault, type ImageRefFault } from '../../../core/image-ref.js';

const REASONS: { readonly [K in ImageRefFault['kind']]: (value: string) => string } = {
  'empty': () => 'is empty',
  'absolute': () => 'starts with "/" (an image reference is not a path)',
  'dot-segment': () => 'has a "." or ".." segment',
  'name-too-long': () => `has a repository name longer than ${MAX_IMAGE_NAME_LENGTH} characters`,
  'empty-component': () => 'has an empty name component',
  'host': (v) => `names ${JSON.stringify(v)}, which is not a valid registry host`,
  'component': (v) => `has the name component ${JSON.stringify(v)}, where components must be lowercase letters and digits, separated by ".", "_", "__" or "-"`,
  'tag': (v) => `has the tag ${JSON.stringify(v)}, where a tag is letters, digits, "_", "." or "-" (at most 128, not starting with "." or "-")`,
  'digest': (v) => `has the digest ${JSON.stringify(v)}, where a digest looks like sha256:<hex digits>`,
};

/** Why `ref` is not a usable image reference, or undefined when it is one. */
export function imageRefProblem(ref: string): string | undefined {
  const fault = imageRefFault(ref);
  return fault === undefined ? undefined : REASONS[fault.kind]('value' in fault ? fault.value : '');
}
