/**
 * vitest's global setup: builds dist/ (incremental: seconds when nothing changed) before any test
 * runs, so every test that starts `bin/kvt.js` (launchers, the daemon, virt-api, the node agent)
 * runs the JavaScript users run, never a stale build.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'ignore', 'inherit'] });
}
