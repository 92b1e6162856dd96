#!/usr/bin/env node
// Entry point of the `kvt` command: the compiled JavaScript in dist/ (`npm run build` writes it;
// `npm ci` and the README's set-up run the build).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: kvt is not built: run `npm run build` in the kubevirt-ts directory (npm ci does it too)\n');
  process.exit(2);
}
await import(main.href);
