/**
 * The digest of an import source (`kvt image import`): a file's contents, or a tree's paths, types,
 * exec bits and contents, so an unchanged re-import can be skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function hashTree(hash: ReturnType<typeof createHash>, root: string, rel: string): Promise<void> {
  const entries = (await readdir(join(root, rel), { withFileTypes: true })).map((e) => e.name).sort();
  for (const name of entries) {
    const path = posix.join(rel, name);
    const info = await lstat(join(root, path));
    if (info.isSymbolicLink()) hash.update(`l ${path}\0${await readlink(join(root, path))}\n`);
    else if (info.isDirectory()) {
      hash.update(`d ${path}\n`);
      await hashTree(hash, root, path);
    } else if (info.isFile()) hash.update(`f${(info.mode & 0o111) !== 0 ? 'x' : '-'} ${path}\0${await hashFile(join(root, path))}\n`);
    else hash.update(`o ${path}\n`);
  }
}

/**
 * `sha256:<hex>` of an import source: a file's contents, or a tree's paths, types, exec bits and
 * contents. The same source gives the same digest, so callers can skip an unchanged re-import.
 */
export async function digestSource(source: string): Promise<string> {
  const info = await stat(source);
  if (!info.isDirectory()) return `sha256:${await hashFile(source)}`;
  const hash = createHash('sha256');
  await hashTree(hash, source, '');
  return `sha256:${hash.digest('hex')}`;
}
