import { describe, expect, it } from 'vitest';
import { mergeLayers, newLayerPlanState, normalizeLayerPath, planTarEntry, type LayerEntry, type TarHeader } from './tar-plan.js';

describe('normalizeLayerPath', () => {
  it.each([
    ['./disk/disk.img', 'disk/disk.img'], ['/disk//a/', 'disk/a'], ['./', ''], ['a/./b', 'a/b'],
    ['../etc/passwd', undefined], ['disk/../../x', undefined], ['a\0b', undefined], ['x'.repeat(5000), undefined],
  ])('%j → %j', (name, path) => {
    expect(normalizeLayerPath(name)).toBe(path);
  });
});

/** Plans a whole layer: the accepted entries, or the first refusal. */
function plan(headers: readonly TarHeader[], limits?: Parameters<typeof planTarEntry>[2]): LayerEntry[] | string {
  const state = newLayerPlanState();
  const out: LayerEntry[] = [];
  for (const h of headers) {
    const action = planTarEntry(h, state, limits);
    if (!action.ok) return action.reason;
    out.push(action.entry);
  }
  return out;
}

describe('planTarEntry: hostile entries refused', () => {
  it.each<[string, TarHeader[], RegExp]>([
    ['a dot-dot path', [{ name: '../../etc/cron.d/x', type: 'file', size: 1 }], /leaves the image/],
    ['a dot-dot inside', [{ name: 'disk/../../x', type: 'file', size: 1 }], /leaves the image/],
    ['a write through a symlink', [{ name: 'disk', type: 'symlink', linkname: '/etc' }, { name: 'disk/passwd', type: 'file', size: 1 }], /below disk, which this layer made a symlink/],
    ['a write through a relative symlink', [{ name: 'a', type: 'symlink', linkname: '../../..' }, { name: 'a/b/c', type: 'directory' }], /below a/],
    ['a path below a file', [{ name: 'f', type: 'file', size: 1 }, { name: 'f/x', type: 'file', size: 1 }], /below f/],
    ['a hard link out of the root', [{ name: 'h', type: 'link', linkname: '../../etc/shadow' }], /hard link whose target leaves/],
    ['a hard link to a symlink', [{ name: 's', type: 'symlink', linkname: '/etc/shadow' }, { name: 'h', type: 'link', linkname: 's' }], /not a regular file earlier/],
    ['a hard link to a file of another layer', [{ name: 'h', type: 'link', linkname: 'etc/passwd' }], /not a regular file earlier/],
    ['a character device', [{ name: 'dev/kvm', type: 'character-device' }], /character-device entry/],
    ['a block device', [{ name: 'dev/sda', type: 'block-device' }], /block-device entry/],
    ['a FIFO', [{ name: 'p', type: 'fifo' }], /fifo entry/],
    ['a file as the root', [{ name: './', type: 'file', size: 1 }], /names the image root/],
    ['an empty symlink', [{ name: 's', type: 'symlink', linkname: '' }], /without a usable target/],
    ['a whiteout of nothing', [{ name: 'disk/.wh.', type: 'file', size: 0 }], /names no file/],
    ['a huge file', [{ name: 'disk/d.img', type: 'file', size: 2048 }], /larger than 1024 bytes/],
    ['a huge layer', [{ name: 'a', type: 'file', size: 1000 }, { name: 'b', type: 'file', size: 1000 }], /layer's files are larger than 1500/],
    ['too many entries', [{ name: 'a', type: 'directory' }, { name: 'b', type: 'directory' }, { name: 'c', type: 'directory' }], /more than 2 entries/],
  ])('%s', (_what, headers, reason) => {
    expect(plan(headers, { maxFileBytes: 1024, maxLayerBytes: 1500, maxEntries: 2 })).toMatch(reason);
  });
});

describe('planTarEntry: what a containerDisk layer holds', () => {
  it('keeps directories, files, symlinks (target as written), hard links and whiteouts', () => {
    const state = newLayerPlanState();
    const headers: TarHeader[] = [
      { name: './', type: 'directory', mode: 0o755 },
      { name: 'disk/', type: 'directory', mode: 0o555 },
      { name: 'disk/disk.qcow2', type: 'file', size: 10, mode: 0o100644 },
      { name: 'disk/alias', type: 'link', linkname: './disk/disk.qcow2', mode: 0o644 },
      { name: 'boot/vmlinuz', type: 'symlink', linkname: '/etc/../../vmlinuz-6.1' },
      { name: 'old/.wh.gone', type: 'file', size: 0 },
      { name: 'old/.wh..wh..opq', type: 'file', size: 0 },
    ];
    const actions = headers.map((h) => planTarEntry(h, state));
    expect(actions).toEqual([
      { ok: true, entry: { path: '', type: 'dir', mode: 0o755 } },
      { ok: true, entry: { path: 'disk', type: 'dir', mode: 0o555 } },
      { ok: true, entry: { path: 'disk/disk.qcow2', type: 'file', mode: 0o644, size: 10 } },
      { ok: true, entry: { path: 'disk/alias', type: 'file', mode: 0o644, size: 0 }, linkTo: 'disk/disk.qcow2' },
      { ok: true, entry: { path: 'boot/vmlinuz', type: 'symlink', target: '/etc/../../vmlinuz-6.1' } },
      { ok: true, entry: { path: 'old/gone', type: 'whiteout' } },
      { ok: true, entry: { path: 'old', type: 'opaque' } },
    ]);
  });
});

describe('mergeLayers', () => {
  const f = (path: string, size = 1): LayerEntry => ({ path, type: 'file', mode: 0o644, size });
  const d = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755 });
  const paths = (layers: LayerEntry[][]): string[] => mergeLayers(layers).map((m) => `${m.entry.path}@${m.layer}`);

  it.each<[string, LayerEntry[][], string[]]>([
    ['a later layer wins', [[d('disk'), f('disk/disk.img')], [f('disk/disk.img', 2)]], ['disk@0', 'disk/disk.img@1']],
    ['a whiteout hides a lower file', [[f('disk/a.img'), f('disk/b.img')], [{ path: 'disk/a.img', type: 'whiteout' }]], ['disk/b.img@0']],
    ['a whiteout hides a lower directory tree', [[d('x'), f('x/y'), f('xy')], [{ path: 'x', type: 'whiteout' }]], ['xy@0']],
    ['an opaque directory hides lower contents, keeps its own', [[d('disk'), f('disk/old.img')], [{ path: 'disk', type: 'opaque' }, f('disk/new.img')]], ['disk@0', 'disk/new.img@1']],
    ['an opaque whiteout listed after the layer\'s own entries still keeps them', [[f('disk/old.img')], [f('disk/new.img'), { path: 'disk', type: 'opaque' }]], ['disk/new.img@1']],
    ['a file replacing a directory takes its contents', [[d('boot'), f('boot/vmlinuz')], [f('boot')]], ['boot@1']],
    ['a directory over a lower symlink replaces the symlink', [[{ path: 'disk', type: 'symlink', target: '/etc' }], [f('disk/d.img')]], ['disk/d.img@1']],
    ['a whiteout of something absent does nothing', [[f('a')], [{ path: 'b', type: 'whiteout' }]], ['a@0']],
  ])('%s', (_what, layers, expected) => {
    expect(paths(layers)).toEqual(expected);
  });
});
