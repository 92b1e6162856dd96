/**
 * The safety rules of unpacking an image layer, as pure decisions: each tar entry becomes a
 * directory, a regular file, a symlink (its target kept as written: it is resolved inside the image
 * by whoever reads it, never while unpacking), a hard link to a file of the same layer, or an OCI
 * whiteout; anything else is refused with the reason. Paths are normalized inside the layer (no
 * `..`, no NUL, no absolute escape); nothing is written below a symlink of the same layer (a
 * symlink followed while unpacking is how a layer writes outside its root); sizes and entry counts
 * are bounded. Then the layers are merged as OCI says: later layers win, whiteouts and opaque
 * directories hide what lower layers had. Pure.
 * @see https://github.com/opencontainers/image-spec/blob/main/layer.md
 */

/** A tar header as the reader gives it. */
export interface TarHeader {
  readonly name: string;
  /** tar-stream's type names: file, directory, symlink, link, character-device, … */
  readonly type: string;
  readonly linkname?: string | null;
  readonly size?: number;
  readonly mode?: number;
}

/** One thing a layer holds, as the store keeps it (the layer's `entries.json`). */
export type LayerEntry =
  | { readonly path: string; readonly type: 'dir'; readonly mode: number }
  | { readonly path: string; readonly type: 'file'; readonly mode: number; readonly size: number }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string }
  | { readonly path: string; readonly type: 'whiteout' }
  | { readonly path: string; readonly type: 'opaque' };

/** What to do with one entry: write it (a hard link is written as a link to `linkTo`), or refuse the layer. */
export type EntryAction =
  | { readonly ok: true; readonly entry: LayerEntry; readonly linkTo?: string }
  | { readonly ok: false; readonly reason: string };

/** The bounds of one layer. */
export interface LayerLimits {
  /** @default 64 GiB: one file (a disk image is the largest thing a containerDisk holds) */
  readonly maxFileBytes: number;
  /** @default 128 GiB: the layer's files together */
  readonly maxLayerBytes: number;
  /** @default 100000 */
  readonly maxEntries: number;
}

/** The default bounds of a layer. */
export const DEFAULT_LAYER_LIMITS: LayerLimits = { maxFileBytes: 64 * 1024 ** 3, maxLayerBytes: 128 * 1024 ** 3, maxEntries: 100_000 };

const MAX_PATH = 4096;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * A tar path inside the layer root, or undefined when it cannot be one: `./a//b/` → `a/b`; the root
 * itself → ''. Leading "/" is dropped (tar's own rule); a `..` segment, a NUL or an over-long path refuses.
 */
export function normalizeLayerPath(name: string): string | undefined {
  if (name.includes('\0') || name.length > MAX_PATH) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}

/** The running state of one layer's plan: what it has written so far. */
export interface LayerPlanState {
  entries: number;
  bytes: number;
  /** Paths of this layer: their type, so a later entry cannot go through a symlink or link to a non-file. */
  readonly kinds: Map<string, 'dir' | 'file' | 'symlink'>;
}

/** A fresh state for a layer. */
export function newLayerPlanState(): LayerPlanState {
  return { entries: 0, bytes: 0, kinds: new Map() };
}

function throughSymlink(state: LayerPlanState, path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const kind = state.kinds.get(prefix);
    if (kind === 'symlink' || kind === 'file') return prefix;
  }
  return undefined;
}

type Refuse = (reason: string) => EntryAction;

/** A whiteout (`.wh.NAME`) or opaque marker (`.wh..wh..opq`), undefined for any other name. */
function whiteout(path: string, refuse: Refuse): EntryAction | undefined {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (!base.startsWith(WHITEOUT)) return undefined;
  const dir = slash === -1 ? '' : path.slice(0, slash);
  if (base === OPAQUE) return { ok: true, entry: { path: dir, type: 'opaque' } };
  const hidden = base.slice(WHITEOUT.length);
  if (hidden === '' || hidden === '.' || hidden === '..') return refuse('a whiteout that names no file');
  return { ok: true, entry: { path: dir === '' ? hidden : `${dir}/${hidden}`, type: 'whiteout' } };
}

function planFile(path: string, header: TarHeader, ctx: { readonly state: LayerPlanState; readonly limits: LayerLimits; readonly refuse: Refuse }): EntryAction {
  const { state, limits, refuse } = ctx;
  const size = header.size ?? 0;
  if (!Number.isSafeInteger(size) || size < 0) return refuse('its size is not a byte count');
  if (size > limits.maxFileBytes) return refuse(`it is larger than ${limits.maxFileBytes} bytes`);
  state.bytes += size;
  if (state.bytes > limits.maxLayerBytes) return refuse(`the layer's files are larger than ${limits.maxLayerBytes} bytes`);
  state.kinds.set(path, 'file');
  return { ok: true, entry: { path, type: 'file', mode: modeOf(header), size } };
}

function planSymlink(path: string, header: TarHeader, state: LayerPlanState, refuse: Refuse): EntryAction {
  const target = header.linkname ?? '';
  if (target === '' || target.includes('\0') || target.length > MAX_PATH) return refuse('a symlink without a usable target');
  state.kinds.set(path, 'symlink');
  return { ok: true, entry: { path, type: 'symlink', target } };
}

function planHardLink(path: string, header: TarHeader, state: LayerPlanState, refuse: Refuse): EntryAction {
  const target = normalizeLayerPath(header.linkname ?? '');
  if (target === undefined || target === '') return refuse('a hard link whose target leaves the image');
  if (state.kinds.get(target) !== 'file') return refuse(`a hard link to ${JSON.stringify(target)}, which is not a regular file earlier in this layer`);
  state.kinds.set(path, 'file');
  return { ok: true, entry: { path, type: 'file', mode: modeOf(header), size: 0 }, linkTo: target };
}

function modeOf(header: TarHeader): number {
  return (header.mode ?? 0o644) & 0o7777;
}

/** The entry's path once counted and checked, or the action that ends it there (a refusal, the root, a whiteout). */
function checkPath(header: TarHeader, state: LayerPlanState, limits: LayerLimits, refuse: Refuse): string | EntryAction {
  state.entries += 1;
  if (state.entries > limits.maxEntries) return refuse(`the layer has more than ${limits.maxEntries} entries`);
  const path = normalizeLayerPath(header.name);
  if (path === undefined) return refuse('its path leaves the image (a ".." segment), holds a NUL or is too long');
  if (path === '') return header.type === 'directory' ? { ok: true, entry: { path: '', type: 'dir', mode: header.mode ?? 0o755 } } : refuse('it names the image root but is not a directory');
  const blocked = throughSymlink(state, path);
  if (blocked !== undefined) return refuse(`it lies below ${blocked}, which this layer made a symlink or a file`);
  return whiteout(path, refuse) ?? path;
}

/** Decides one entry (in tar order) and updates `state`. Refusing one entry refuses the layer. */
export function planTarEntry(header: TarHeader, state: LayerPlanState, limits: LayerLimits = DEFAULT_LAYER_LIMITS): EntryAction {
  const refuse: Refuse = (reason) => ({ ok: false, reason: `entry ${JSON.stringify(header.name.slice(0, 200))}: ${reason}` });
  const checked = checkPath(header, state, limits, refuse);
  if (typeof checked !== 'string') return checked;
  const path = checked;
  switch (header.type) {
    case 'directory':
      state.kinds.set(path, 'dir');
      return { ok: true, entry: { path, type: 'dir', mode: modeOf(header) } };
    case 'file':
    case 'contiguous-file':
      return planFile(path, header, { state, limits, refuse });
    case 'symlink':
      return planSymlink(path, header, state, refuse);
    case 'link':
      return planHardLink(path, header, state, refuse);
    default:
      return refuse(`a ${header.type} entry: only directories, regular files, symlinks and hard links are unpacked (no device files, FIFOs or sockets)`);
  }
}

/** One path of the merged image: its entry and the layer (index) it comes from. */
export interface MergedEntry {
  readonly layer: number;
  readonly entry: Exclude<LayerEntry, { type: 'whiteout' | 'opaque' }>;
}

function removeTree(tree: Map<string, MergedEntry>, path: string, keepSelf: boolean): void {
  const prefix = path === '' ? '' : `${path}/`;
  for (const key of [...tree.keys()]) {
    if ((!keepSelf && key === path) || (key.startsWith(prefix) && key !== path)) tree.delete(key);
  }
}

/**
 * The image's filesystem from its layers, lowest first: each layer's whiteouts and opaque
 * directories hide lower layers' paths, then its entries replace what was there (a non-directory
 * replacing a directory takes the directory's contents with it). Sorted so parents come first.
 */
export function mergeLayers(layers: readonly (readonly LayerEntry[])[]): MergedEntry[] {
  const tree = new Map<string, MergedEntry>();
  layers.forEach((entries, layer) => {
    for (const e of entries) {
      if (e.type === 'whiteout') removeTree(tree, e.path, false);
      else if (e.type === 'opaque') removeTree(tree, e.path, true);
    }
    for (const e of entries) {
      if (e.type !== 'whiteout' && e.type !== 'opaque' && e.path !== '') addEntry(tree, { layer, entry: e });
    }
  });
  return [...tree.values()].sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
}

/** Puts one entry over what lower layers left: a non-directory drops a directory's contents, a lower non-directory parent becomes a directory. */
function addEntry(tree: Map<string, MergedEntry>, merged: MergedEntry): void {
  const { path, type } = merged.entry;
  if (tree.get(path)?.entry.type === 'dir' && type !== 'dir') removeTree(tree, path, true);
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    const p = tree.get(parent);
    if (p !== undefined && p.entry.type !== 'dir') tree.delete(parent);
  }
  tree.set(path, merged);
}
