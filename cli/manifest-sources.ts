/**
 * The manifests a command reads (`kvt validate`, `apply`, `run`, `domxml`, `virt-launcher`): files,
 * directories of `.yaml`/`.yml`/`.json` files (sorted; `-R` recurses) and `-` for standard input,
 * parsed into objects. An unreadable or unparseable source is an error value, never an exception.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseManifests, type DuplicateFields, type ManifestError, type ManifestObject } from '../core/manifests.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The manifest files a FILE|DIR argument names (a directory: its manifest files, sorted). */
async function expandPath(path: string, recursive: boolean): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && recursive) out.push(...(await expandPath(join(path, e.name), true)));
    else if (e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name))) out.push(join(path, e.name));
  }
  return out;
}

/**
 * Reads and parses every named source; unreadable ones become errors, never exceptions. A field
 * repeated in one mapping is an error unless `duplicates` is `warn` (listed in `warnings`) or `ignore`.
 */
export async function readSources(
  paths: readonly string[],
  recursive: boolean,
  options: { readonly duplicates?: DuplicateFields } = {},
): Promise<{ objects: ManifestObject[]; errors: ManifestError[]; warnings: ManifestError[] }> {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = path === '-' ? ['-'] : await expandPath(path, recursive);
    } catch (e: unknown) {
      errors.push({ source: path, message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    for (const file of files) {
      try {
        const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
        const parsed = parseManifests(file, text, options);
        objects.push(...parsed.objects);
        errors.push(...parsed.errors);
        warnings.push(...parsed.warnings);
      } catch (e: unknown) {
        errors.push({ source: file, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { objects, errors, warnings };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
