/**
 * KubeVirt's per-disk rules (B01–B21): unique names, one target type, PCI address, boot order, bus,
 * serial, cache, io, error policy, the name as a DNS label, and block sizes. Every disk runs every
 * check, in KubeVirt's order, and every cause is kept.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/storage/admitters/disks.go (ValidateDisks)
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Disks)
 */
import { dnsLabelProblem } from '../../../core/paths.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { blockSizeCauses } from './disk-block-size.js';
import { busCauses } from './disk-bus.js';
import { earlierWithName, invalid, isPciAddress, isSet, listOf, quote } from './common.js';
import { perDisk, type DiskCheck } from './disk-at.js';

/** KubeVirt's serial characters (libvirt would take a space too; KubeVirt does not). */
const SERIAL = /^[A-Za-z0-9_.+-]+$/;
/** KubeVirt's longest serial, in characters. */
const MAX_SERIAL = 256;
const CACHE_MODES = ['none', 'writethrough', 'writeback'];
const IO_MODES = ['native', 'threads'];
const ERROR_POLICIES = ['stop', 'ignore', 'report', 'enospace'];
const TARGETS = ['disk', 'lun', 'cdrom'] as const;

/** B01's most causes on one disk: one per earlier disk of its name, up to this many. */
const MAX_NAME_CLASHES = 3;

/**
 * B01: one cause per earlier disk of the same name, on the later one (as KubeVirt), the last of at
 * most {@link MAX_NAME_CLASHES} counting the rest: a list of one name repeated stays linear.
 */
const uniqueName: DiskCheck = ({ disks, disk, index, field, base }) => {
  const { indexes, count } = earlierWithName(disks, index, MAX_NAME_CLASHES);
  return indexes.map((j, k) => {
    const more = k === indexes.length - 1 && count > indexes.length ? ` (and ${count - indexes.length} more earlier disks)` : '';
    return invalid(field.child('name'), `${field} and ${base.index(j)}${more} must not share the name ${quote(disk.name)}; disk names must be unique`);
  });
};

/** B02: at most one of disk, lun, cdrom (none is fine: admission defaults to disk). */
const singleTarget: DiskCheck = ({ disk, field }) => {
  const set = TARGETS.filter((t) => disk[t] !== undefined);
  return set.length > 1 ? [invalid(field, `${field} may have only one target type, but sets ${listOf(set)}`)] : [];
};

/** B03, B04: a PCI address only on the virtio bus, and well formed. */
const pciAddress: DiskCheck = ({ disk, field }) => {
  const address = disk.disk?.pciAddress;
  if (!isSet(address)) return [];
  const at = field.child('disk').child('pciAddress');
  const out: Cause[] = [];
  const bus = disk.disk?.bus ?? '';
  if (bus !== 'virtio') out.push(invalid(at, `${at} ${quote(address)} needs the virtio bus, but the bus is ${quote(bus)}`));
  if (!isPciAddress(address)) out.push(invalid(at, `${at} ${quote(address)} is a malformed PCI address; use DDDD:BB:SS.F in hex, function 0-7`));
  return out;
};

/** B05: a given boot order is at least 1. */
const bootOrderValue: DiskCheck = ({ disk, field }) => {
  const order = disk.bootOrder;
  if (order === undefined || order >= 1) return [];
  const at = field.child('bootOrder');
  return [invalid(at, `${at} must be greater than 0 when given, not ${order}`)];
};

/** B11, B12: serial characters and length (in characters, as Go counts runes). */
const serial: DiskCheck = ({ disk, field }) => {
  const value = disk.serial;
  if (!isSet(value)) return [];
  const at = field.child('serial');
  const out: Cause[] = [];
  if (!SERIAL.test(value)) out.push(invalid(at, `${at} ${quote(value)} may use only the characters [A-Za-z0-9_.+-]`));
  const length = [...value].length;
  if (length > MAX_SERIAL) out.push(invalid(at, `${at} is ${length} characters long; it must be at most ${MAX_SERIAL}`));
  return out;
};

/** B13: cache mode. */
const cacheMode: DiskCheck = ({ disk, field }) => {
  const value = disk.cache as string | undefined;
  if (!isSet(value) || CACHE_MODES.includes(value)) return [];
  const at = field.child('cache');
  return [invalid(at, `${at} has the invalid value ${quote(value)}; use one of ${listOf(CACHE_MODES)}`)];
};

/** B14: io mode (KubeVirt's doubled path prefix is reported as the real field). */
const ioMode: DiskCheck = ({ disk, field }) => {
  const value = disk.io as string | undefined;
  if (!isSet(value) || IO_MODES.includes(value)) return [];
  const at = field.child('io');
  return [cause(CauseType.NotSupported, at, `${at} ${quote(value)} is not a supported IO mode; supported are ${listOf(IO_MODES)}`)];
};

/** B15: error policy; an empty string is set, and so invalid. */
const errorPolicy: DiskCheck = ({ disk, field }) => {
  const value = disk.errorPolicy as string | undefined;
  if (value === undefined || ERROR_POLICIES.includes(value)) return [];
  const at = field.child('errorPolicy');
  return [invalid(at, `${at} has the invalid value ${quote(value)}; use one of ${listOf(ERROR_POLICIES)}`)];
};

/** B16: the disk name becomes a container name, so it must be a DNS-1123 label. */
const nameIsDnsLabel: DiskCheck = ({ disk, field }) => {
  const problem = dnsLabelProblem(disk.name ?? '');
  if (problem === undefined) return [];
  const at = field.child('name');
  return [invalid(at, `${at} ${quote(disk.name ?? '')} ${problem}`)];
};

/** Every per-disk check, in KubeVirt's order. */
const DISK_CHECKS: readonly DiskCheck[] = [
  uniqueName, singleTarget, pciAddress, bootOrderValue, busCauses, serial, cacheMode, ioMode, errorPolicy, nameIsDnsLabel, blockSizeCauses,
];

/**
 * B01–B21 over `domain.devices.disks`.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (B01–B21)
 */
export const validateDisks: SpecValidator = perDisk(DISK_CHECKS);
