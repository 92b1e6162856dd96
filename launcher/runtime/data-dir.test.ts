import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKvt } from '../../cli/kvt.js';
import { DATA_DIR_MODE, DataDirError, defaultDataDir, ensureDataDir, type DataDirOwner } from './data-dir.js';
import { ensureUnprivilegedUser } from './unprivileged-user.js';

const isRoot = process.getuid?.() === 0;
const mode = (path: string): number => statSync(path).mode & 0o7777;

describe('defaultDataDir', () => {
  it('is $KVT_DATA_DIR, else /var/lib/kvt for root, else under the home directory', () => {
    expect(defaultDataDir({ env: { KVT_DATA_DIR: 'rel/dir' }, uid: 1000, home: '/home/u' })).toBe(join(process.cwd(), 'rel/dir'));
    expect(defaultDataDir({ env: {}, uid: 0, home: '/root' })).toBe('/var/lib/kvt');
    expect(defaultDataDir({ env: { KVT_DATA_DIR: '' }, uid: 1000, home: '/home/u' })).toBe('/home/u/.local/share/kvt');
  });
});

describe('ensureDataDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kvt-data-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const user: DataDirOwner = { root: false, qemuGroup: () => Promise.reject(new Error('not asked as a user')) };

  it('creates a missing directory and its parents private: 0700 for a user', async () => {
    const data = join(dir, 'a', 'b', 'data');
    await ensureDataDir(data, user);
    expect(mode(data)).toBe(DATA_DIR_MODE.user);
  });

  it('makes an existing world-readable directory private, and leaves a private one as it is', async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    await ensureDataDir(data, user);
    expect(mode(data)).toBe(0o700);
    await ensureDataDir(data, user);
    expect(mode(data)).toBe(0o700);
  });

  it.skipIf(!isRoot)('as root: 0750 with the QEMU user\'s group, so QEMU passes through and nobody else does', async () => {
    const data = join(dir, 'data');
    const qemu = await ensureUnprivilegedUser();
    await ensureDataDir(data);
    expect(mode(data)).toBe(DATA_DIR_MODE.root);
    expect(statSync(data).gid).toBe(qemu.gid);
    expect(statSync(data).uid).toBe(0);
  });

  it('refuses a file, a shared sticky directory, and a path below a file, each saying what to do', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(ensureDataDir(file, user)).rejects.toThrow(new DataDirError(`the data directory ${file} is not a directory: pick another with --data-dir or KVT_DATA_DIR`));
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    await expect(ensureDataDir(shared, user)).rejects.toThrow('is a shared directory (sticky, like /tmp): use a directory of its own inside it');
    expect(mode(shared)).toBe(0o1777);
    await expect(ensureDataDir(join(file, 'below'), user)).rejects.toThrow(/^cannot create the data directory .*\(ENOTDIR\)/);
  });

  it.skipIf(!isRoot)('says a read-only data directory is read-only (not "no permission")', async () => {
    const data = join(dir, 'ro');
    mkdirSync(data);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k,mode=0755', 'kvt-test', data]);
    try {
      await expect(ensureDataDir(data, user)).rejects.toThrow(`the data directory ${data} is on a read-only filesystem: pick another with --data-dir or KVT_DATA_DIR, or mount it read-write`);
    } finally {
      execFileSync('umount', ['-l', data]);
    }
  });

  it.skipIf(!isRoot)('kvt image into a new data directory creates it so the QEMU user can reach the images (0750, its group)', async () => {
    const data = join(dir, 'new-data');
    const out: string[] = [];
    expect(await runKvt(['image', 'list', '--data-dir', data], { out: (t) => void out.push(t), err: (t) => void out.push(t) })).toBe(0);
    expect(mode(data)).toBe(DATA_DIR_MODE.root);
    expect(statSync(data).gid).toBe((await ensureUnprivilegedUser()).gid);
  });
});
