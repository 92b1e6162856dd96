import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultDataDir, ensureDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import { ImageStoreError, openImageStore, type ImageRecord, type ImageStore } from '../../launcher/runtime/image-store.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { formatRows } from '../printer.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** A byte count in binary units with at most one decimal: 67108864 → "64 MiB". */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${UNITS[unit] ?? 'B'}`;
}

/** The `kvt image list` table: REF, DISK, SIZE, IMPORTED, columns padded like kubectl's. */
export function formatImageTable(records: readonly ImageRecord[]): string {
  const rows = [
    ['REF', 'DISK', 'SIZE', 'IMPORTED'],
    ...records.map((r) => [
      r.ref,
      r.disk?.format ?? '-',
      r.disk === undefined ? '-' : formatSize(r.disk.virtualSize),
      r.importedAt.replace(/\.\d+Z$/, 'Z'),
    ]),
  ];
  return formatRows(rows);
}

async function openStore(args: readonly string[], positionalCount: number): Promise<{ store: ImageStore; positionals: string[] }> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'data-dir': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== positionalCount) {
    throw new UsageError(positionalCount === 0 ? `unexpected argument ${JSON.stringify(positionals[0])}` : `expected ${positionalCount} argument(s), got ${positionals.length}`);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  await ensureDataDir(dataDir);
  return { store: openImageStore(imageStoreRoot(dataDir)), positionals };
}

async function importImage(args: readonly string[], io: CommandIo): Promise<number> {
  const { store, positionals } = await openStore(args, 2);
  const [ref = '', source = ''] = positionals;
  const record = await store.import(ref, source);
  const disk = record.disk === undefined ? 'no disk' : `${record.disk.format} disk of ${formatSize(record.disk.virtualSize)}`;
  io.out(`Imported image ${record.ref} (${disk}, ${record.digest ?? 'no digest'})\n`);
  return 0;
}

async function listImages(args: readonly string[], io: CommandIo): Promise<number> {
  const { store } = await openStore(args, 0);
  const records = await store.list();
  if (records.length === 0) io.err(`No images in ${store.root}\n`);
  else io.out(formatImageTable(records));
  return 0;
}

async function removeImage(args: readonly string[], io: CommandIo): Promise<number> {
  const { store, positionals } = await openStore(args, 1);
  await store.remove(positionals[0] ?? '');
  io.out(`Removed image ${positionals[0] ?? ''}\n`);
  return 0;
}

const SUBCOMMANDS: ReadonlyMap<string, (args: readonly string[], io: CommandIo) => Promise<number>> = new Map([
  ['import', importImage],
  ['list', listImages],
  ['ls', listImages],
  ['remove', removeImage],
  ['rm', removeImage],
]);

/** `kvt image`: the local image store that containerDisk and kernelBoot.container images come from. */
export const imageCommand: Command = {
  name: 'image',
  summary: 'Import and list images of the local image store (containerDisk, kernelBoot.container)',
  usage: [
    'kvt image import REF FILE|DIR [--data-dir D]',
    '       kvt image list [--data-dir D]',
    '       kvt image remove REF [--data-dir D]',
    '',
    'The local image store plays the container registry on this machine: a containerDisk or',
    'kernelBoot.container image named REF (like localhost/demo-guest:latest; a bare name gets :latest)',
    'comes from it.',
    'A FILE is a raw or qcow2 disk image and becomes the image\'s /disk/disk.img (or disk.qcow2).',
    'A DIR is an image filesystem copied as is: its disk is the first file under disk/, and its',
    'kernel and initrd are files like /boot/vmlinuz. Re-importing REF replaces it atomically.',
    '`npm run guest` builds and imports the demo guest, localhost/demo-guest:latest.',
    '',
    'Options:',
    '  --data-dir D   kvt\'s data directory (default: $KVT_DATA_DIR, else /var/lib/kvt as root,',
    '                 else ~/.local/share/kvt); the store is D/images',
  ].join('\n'),
  async run(args, io) {
    const [sub, ...rest] = args;
    const handler = sub === undefined ? undefined : SUBCOMMANDS.get(sub);
    if (handler === undefined) throw new UsageError(sub === undefined ? 'name a subcommand: import, list or remove' : `unknown subcommand "${sub}": use import, list or remove`);
    try {
      return await handler(rest, io);
    } catch (e: unknown) {
      if (!(e instanceof ImageStoreError)) throw e;
      io.err(`error: ${e.message}\n`);
      return 1;
    }
  },
};
