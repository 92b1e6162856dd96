/**
 * Runs the network tools (`ip`, `nft`) with argument arrays, never a shell, and their input on
 * stdin: found on $PATH or in the sbin directories (where Debian puts nft), so a daemon started
 * with a short PATH still finds them. A failure carries the tool's own message.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter } from 'node:path';
import { KubevirtError } from '../../../core/errors.js';
import { findProgram, SBIN_DIRS } from '../../../core/program-path.js';

/** A network tool failed; the message is its command line and its stderr. */
export class NetworkToolError extends KubevirtError {}

const found = new Map<string, string>();

async function locate(program: string): Promise<string> {
  const known = found.get(program);
  if (known !== undefined) return known;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN_DIRS, '/usr/bin', '/bin'];
  const path = await findProgram(program, dirs, (file) => access(file, constants.X_OK).then(() => true, () => false));
  if (path !== undefined) {
    found.set(program, path);
    return path;
  }
  throw new NetworkToolError(`${program} is not installed (Debian: ${program === 'nft' ? 'nftables' : 'iproute2'})`);
}

/** The path of `program` (`ip`, `nft`): what a spawned command line names. */
export function toolPath(program: 'ip' | 'nft'): Promise<string> {
  return locate(program);
}

/** Runs `program args` with `input` on stdin; resolves with its stdout, rejects with its stderr. */
export async function runTool(program: 'ip' | 'nft', args: readonly string[], input?: string): Promise<string> {
  const path = await locate(program);
  return new Promise((done, fail) => {
    const child = spawn(path, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.once('error', (e) => fail(new NetworkToolError(`${program} ${args.join(' ')}: ${e.message}`, { cause: e })));
    child.once('close', (code) => {
      if (code === 0) done(out);
      else fail(new NetworkToolError(`${program} ${args.join(' ')} failed: ${err.trim() || `exit ${String(code)}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
