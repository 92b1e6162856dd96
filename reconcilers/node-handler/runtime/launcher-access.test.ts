// Run directories for real: the VMI handover file (atomic, 0600, per uid) and finding launcher
// sockets under a run root.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_SOCKET, VMI_FILE } from '../../../launcher/protocol/index.js';
import { newVmi } from '../../../test/builders/vmi.js';
import { fileLauncherAccess, handedOverUid, launcherSockets, writeVmiFile } from './launcher-access.js';

let root = '';
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

describe('launcher run directories', () => {
  it('hands a VMI over once per uid: 0600, no temp file left, readable by uid', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-access-'));
    const runDir = join(root, 'abc');
    await mkdir(runDir);
    const vmi = newVmi();
    const access = fileLauncherAccess({ runDirOf: () => runDir });
    expect(await access.handedOver(vmi)).toBe(false);
    await access.handOver(vmi);
    expect(await access.handedOver(vmi)).toBe(true);
    expect((await stat(join(runDir, VMI_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(runDir)).toEqual([VMI_FILE]);
    const other = newVmi();
    other.metadata.uid = 'another-uid';
    expect(await access.handedOver(other)).toBe(false);
    expect(await handedOverUid(runDir)).toBe(vmi.metadata.uid);
  });

  it('a failed write leaves nothing behind and rejects', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-access-'));
    await expect(writeVmiFile(join(root, 'missing'), newVmi())).rejects.toThrow(/ENOENT/);
    expect(await readdir(root)).toEqual([]);
  });

  it('finds the launcher sockets under a run root (and nothing under a missing one)', async () => {
    root = await mkdtemp(join(tmpdir(), 'kvt-access-'));
    await mkdir(join(root, 'a'));
    await mkdir(join(root, 'b'));
    await writeFile(join(root, 'a', PROTOCOL_SOCKET), '');
    await writeFile(join(root, 'stray'), '');
    expect(await launcherSockets(root)).toEqual([join(root, 'a', PROTOCOL_SOCKET)]);
    expect(await launcherSockets(join(root, 'nope'))).toEqual([]);
  });
});
