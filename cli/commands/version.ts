import { createRequire } from 'node:module';
import type { Command } from '../command.js';

/** The package version, read from package.json next to the sources. */
export function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

/** `kvt version`: the kvt version and the API versions it serves. */
export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the kvt version and the API versions it serves',
  usage: 'kvt version',
  async run(_args, io) {
    io.out(`kvt ${packageVersion()} (kubevirt.io/v1, instancetype.kubevirt.io/v1beta1; node ${process.version})\n`);
    return 0;
  },
};
