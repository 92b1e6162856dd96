/**
 * A launcher's pod network set-up alone, for the tests that run it inside a namespace they made
 * (`ip netns exec NS tsx pod-network-entry.testing.ts VMI.json RESOLV.CONF`): prepares the VMI's
 * pod network as the launcher does, prints one JSON line (the converter context and the status
 * interfaces), serves DHCP until its stdin closes, then cleans up and prints `cleaned`.
 */
import { readFile } from 'node:fs/promises';
import { createLogger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { preparePodNetwork } from './pod-network.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';

const [vmiPath = '', resolvConf = '/etc/resolv.conf'] = process.argv.slice(2);
const log = createLogger({ name: 'pod-network-test', level: 'debug' });
const vmi = JSON.parse(await readFile(vmiPath, 'utf8')) as VirtualMachineInstance;
const owner = await ensureUnprivilegedUser();
try {
  const prepared = await preparePodNetwork(vmi, owner, log, { resolvConf });
  process.stdout.write(`${JSON.stringify({ context: prepared.context, interfaces: prepared.interfaces })}\n`);
  process.stdin.resume();
  await new Promise((done) => process.stdin.once('end', done));
  await prepared.cleanup();
  process.stdout.write('cleaned\n');
} catch (e: unknown) {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
}
