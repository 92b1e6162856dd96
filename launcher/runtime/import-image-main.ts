/**
 * Imports a directory or disk file into the local image store, skipping the copy when the store
 * already holds the same content under that reference. `scripts/build-guest.sh` runs it (through
 * tsx) to register the demo guest, so the build does not depend on `kvt image` being wired yet.
 *
 * Usage: tsx launcher/runtime/import-image-main.ts [--data-dir D] [--force] REF FILE|DIR
 */
import { parseArgs } from 'node:util';
import { defaultDataDir, imageStoreRoot } from './data-dir.js';
import { digestSource, findImage, openImageStore } from './image-store.js';
import { ImageStoreError } from './image-store-errors.js';

const USAGE = 'usage: import-image-main.ts [--data-dir D] [--force] REF FILE|DIR';

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { 'data-dir': { type: 'string' }, force: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [ref, source] = positionals;
  if (ref === undefined || source === undefined || positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = openImageStore(imageStoreRoot(values['data-dir'] ?? defaultDataDir()));
  const before = await findImage(store, ref);
  if (!values.force && before !== undefined && before.digest === (await digestSource(source))) {
    process.stdout.write(`Image ${before.ref} is up to date (${before.digest}) in ${store.root}\n`);
    return 0;
  }
  const record = await store.import(ref, source);
  process.stdout.write(`Imported image ${record.ref} (${record.digest ?? 'no digest'}) into ${record.dir}\n`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e: unknown) {
  if (!(e instanceof ImageStoreError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
}
