import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { defaultDataDir, ensureDataDir, imageStoreRoot } from '../../launcher/runtime/data-dir.js';
import type { ImageRecord } from '../../launcher/runtime/image-record.js';
import { openImageStore, type ImageStore } from '../../launcher/runtime/image-store.js';
import { ImageStoreError } from '../../launcher/runtime/image-store-errors.js';
import { pruneImageStore } from '../../launcher/runtime/image-prune.js';
import { pullImage } from '../../launcher/runtime/image-pull.js';
import { loadRegistryMirrors } from '../../launcher/runtime/registry-config.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { pullCredentials, pullProgress } from '../image-pull-output.js';
import { REGISTRY_MIRROR_FLAGS, REGISTRY_MIRROR_USAGE, registryMirrorsOf, useRegistryMirrors } from '../registry-mirror-flags.js';
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

/** A digest as `docker images` shortens it: `sha256:` and 12 hex digits. */
export function shortDigest(digest: string | undefined): string {
  return digest === undefined ? '-' : digest.slice(0, 'sha256:'.length + 12);
}

/**
 * The `kvt image list` table, columns padded like kubectl's: REF, DIGEST (a pulled image's manifest
 * digest, an imported one's content digest), DISK (format) and SIZE (its virtual size), SOURCE (pulled:
 * the bytes the registry served; or imported) and CREATED.
 */
export function formatImageTable(records: readonly ImageRecord[]): string {
  const rows = [
    ['REF', 'DIGEST', 'DISK', 'SIZE', 'SOURCE', 'CREATED'],
    ...records.map((r) => [
      r.ref,
      shortDigest(r.digest),
      r.disk?.format ?? '-',
      r.disk === undefined ? '-' : formatSize(r.disk.virtualSize),
      r.source === undefined ? 'imported' : `pulled, ${formatSize(r.source.size)}`,
      r.importedAt.replace(/\.\d+Z$/, 'Z'),
    ]),
  ];
  return formatRows(rows);
}

interface Opened { store: ImageStore; positionals: string[]; dataDir: string; mirrors: readonly string[]; minAgeMs: number }

function minAge(text: string | undefined): number {
  if (text === undefined) return 60_000;
  if (!/^\d+$/.test(text)) throw new UsageError(`--min-age must be a number of seconds, not ${JSON.stringify(text)}`);
  return Number(text) * 1000;
}

async function openStore(args: readonly string[], positionalCount: number): Promise<Opened> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'data-dir': { type: 'string' }, 'min-age': { type: 'string' }, ...REGISTRY_MIRROR_FLAGS },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== positionalCount) {
    throw new UsageError(positionalCount === 0 ? `unexpected argument ${JSON.stringify(positionals[0])}` : `expected ${positionalCount} argument(s), got ${positionals.length}`);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  await ensureDataDir(dataDir);
  return { store: openImageStore(imageStoreRoot(dataDir)), positionals, dataDir, mirrors: registryMirrorsOf(values), minAgeMs: minAge(values['min-age']) };
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

async function pull(args: readonly string[], io: CommandIo): Promise<number> {
  const { store, positionals, dataDir, mirrors } = await openStore(args, 1);
  useRegistryMirrors(mirrors);
  const ref = positionals[0] ?? '';
  const configured = await loadRegistryMirrors(dataDir);
  const credentials = await pullCredentials(ref, configured);
  const record = await pullImage(store, ref, { mirrors: configured, ...(credentials === undefined ? {} : { credentials }), onEvent: pullProgress(io, process.stdout.isTTY) });
  const disk = record.disk === undefined ? 'no disk' : `${record.disk.format} disk of ${formatSize(record.disk.virtualSize)}`;
  io.out(`Pulled image ${record.ref} (${disk}, ${record.digest ?? 'no digest'})\n`);
  return 0;
}

async function prune(args: readonly string[], io: CommandIo): Promise<number> {
  const { store, minAgeMs } = await openStore(args, 0);
  const result = await pruneImageStore(store, { graceMs: minAgeMs });
  for (const layer of result.layers) io.out(`Removed layer ${layer}\n`);
  for (const other of result.other) io.out(`Removed ${other}\n`);
  io.out(`Freed ${formatSize(result.bytes)}\n`);
  return 0;
}

const SUBCOMMANDS: ReadonlyMap<string, (args: readonly string[], io: CommandIo) => Promise<number>> = new Map([
  ['import', importImage],
  ['pull', pull],
  ['prune', prune],
  ['list', listImages],
  ['ls', listImages],
  ['remove', removeImage],
  ['rm', removeImage],
]);

/** `kvt image`: the local image store that containerDisk and kernelBoot.container images come from. */
export const imageCommand: Command = {
  name: 'image',
  summary: 'Pull, import, list and prune images of the local image store (containerDisk, kernelBoot.container)',
  usage: [
    'kvt image pull REF [--data-dir D] [--registry-mirror HOST=URL]',
    '       kvt image import REF FILE|DIR [--data-dir D]',
    '       kvt image list [--data-dir D]',
    '       kvt image remove REF [--data-dir D]',
    '       kvt image prune [--data-dir D] [--min-age SECONDS]',
    '',
    'The local image store holds the containerDisk and kernelBoot.container images of the VMIs run on',
    'this machine. `pull` fetches REF from its registry (quay.io/kubevirt/cirros-container-disk-demo:v1,',
    'name@sha256:…; an index gives this host\'s platform) and stores it by digest, each layer once; a',
    'starting VMI pulls its images itself, as its imagePullPolicy says. Credentials come from',
    '$REGISTRY_AUTH_FILE or ~/.docker/config.json (a VMI\'s from its imagePullSecret); localhost,',
    '127.0.0.1 and [::1] are spoken to over plain http, everything else over TLS. `prune` removes layers',
    'no image uses (and abandoned pulls), sparing what is younger than --min-age (60 s): a VMI starting',
    'now may be pulling it.',
    'A FILE is a raw or qcow2 disk image and becomes the image\'s /disk/disk.img (or disk.qcow2).',
    'A DIR is an image filesystem copied as is: its disk is the first file under disk/, and its',
    'kernel and initrd are files like /boot/vmlinuz. Re-importing REF replaces it atomically.',
    '`npm run guest` builds and imports the demo guest, localhost/demo-guest:latest.',
    '',
    'Options:',
    '  --data-dir D   kvt\'s data directory (default: $KVT_DATA_DIR, else /var/lib/kvt as root,',
    '                 else ~/.local/share/kvt); the store is D/images',
    '  --min-age S    prune: spare what changed in the last S seconds   [60]',
    ...REGISTRY_MIRROR_USAGE,
  ].join('\n'),
  async run(args, io) {
    const [sub, ...rest] = args;
    const handler = sub === undefined ? undefined : SUBCOMMANDS.get(sub);
    if (handler === undefined) throw new UsageError(sub === undefined ? 'name a subcommand: pull, import, list, remove or prune' : `unknown subcommand "${sub}": use pull, import, list, remove or prune`);
    try {
      return await handler(rest, io);
    } catch (e: unknown) {
      if (!(e instanceof ImageStoreError)) throw e;
      io.err(`error: ${e.message}\n`);
      return 1;
    }
  },
};
