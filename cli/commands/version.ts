import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { packageRoot } from '../../core/package-root.js';
import type { Command } from '../command.js';

/** The package version, read from the package's package.json (sources or build alike). */
export function packageVersion(): string {
  const pkg = createRequire(import.meta.url)(join(packageRoot(import.meta.url, 2), 'package.json')) as { version: string };
  return pkg.version;
}

/** `kvt version`: the kvt version and the API versions it serves. */
export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the kvt version and the API versions it serves',
  usage: 'kvt version',
  async run(args, io) {
    parseArgs({ args: [...args], options: {}, strict: true });
    io.out(`kvt ${packageVersion()} (kubevirt.io/v1, instancetype.kubevirt.io/v1beta1; node ${process.version})\n`);
    return 0;
  },
};
