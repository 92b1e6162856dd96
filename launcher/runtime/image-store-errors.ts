/**
 * The image store's errors, in one place so every part of the store (and the puller, the registry
 * client, the layer store) shares one base class without importing the store itself.
 */
import { KubevirtError } from '../../core/errors.js';

/** Base class of the image store's errors; `name` is the concrete class name. */
export class ImageStoreError extends KubevirtError {}

/** A reference that is not a well-formed image reference (docker's grammar) or tries to escape. */
export class ImageRefError extends ImageStoreError {
  readonly ref: string;

  constructor(ref: string, reason: string) {
    super(`invalid image reference ${JSON.stringify(ref)}: ${reason}`);
    this.ref = ref;
  }
}

/** A path inside an image (kernelBoot.container kernelPath/initrdPath) that is refused or missing. */
export class ImagePathError extends ImageStoreError {
  readonly ref: string;
  readonly path: string;

  constructor(ref: string, path: string, reason: string) {
    super(`path ${JSON.stringify(path)} in image ${ref}: ${reason}`);
    this.ref = ref;
    this.path = path;
  }
}

/** The demo guest's reference; `npm run guest` builds and imports it. */
export const DEMO_GUEST_REF = 'localhost/demo-guest:latest';

/** A reference that the store does not hold; the message says how to add it. */
export class ImageNotFoundError extends ImageStoreError {
  readonly ref: string;

  constructor(ref: string, root: string) {
    const hint = ref === DEMO_GUEST_REF
      ? `run \`npm run guest\` to build it (or \`kvt image import ${ref} FILE|DIR\`)`
      : `run \`kvt image import ${ref} FILE|DIR\` to add it`;
    super(`image ${ref} is not in the local image store ${root}: ${hint}`);
    this.ref = ref;
  }
}

/** An import source that cannot become an image (missing, not a disk format we run, unsafe). */
export class ImageImportError extends ImageStoreError {
  readonly ref: string;
  readonly source: string;

  constructor(ref: string, source: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot import ${source} as ${ref}: ${reason}`, options);
    this.ref = ref;
    this.source = source;
  }
}
