/**
 * Where the package is installed, from a module's own URL: the same answer whether the module runs
 * from its TypeScript source (`<root>/cli/commands/version.ts`) or from the compiled build
 * (`<root>/dist/cli/commands/version.js`). Path arithmetic only; nothing is read.
 */
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name of the compiled build's directory under the package root. */
export const DIST_DIR = 'dist';

/** The package root: `levels` directories above the module's own, one more when that is `dist/`. */
export function packageRoot(moduleUrl: string, levels: number): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < levels; i += 1) dir = dirname(dir);
  return basename(dir) === DIST_DIR ? dirname(dir) : dir;
}
