/**
 * Disk settings KubeVirt accepts but kubevirt-ts' converter refuses, refused here so admission
 * never admits a VMI the launcher cannot start: changed block tracking, lun disks (the local
 * volume store holds files, and a lun needs a block device), SCSI reservations, block sizes
 * matched to the volume (a host fact the converter does not have), cdrom trays other than
 * open/closed, and shareable disks with a host cache.
 * @see ../../../launcher/converter/unsupported.ts, disk-device.ts, disk-source.ts, disks.ts
 */
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { isOn, isSet, listOf, notSupported, quote } from './common.js';
import { perDisk, type DiskCheck } from './disk-at.js';

const TRAYS = ['open', 'closed'];

const changedBlockTracking: DiskCheck = ({ disk, field }) =>
  disk.changedBlockTracking === true ? [notSupported(field.child('changedBlockTracking'), 'changed block tracking')] : [];

const lun: DiskCheck = ({ disk, field }) => {
  if (disk.lun === undefined) return [];
  const out: Cause[] = [notSupported(field.child('lun'), `the lun disk ${quote(disk.name)}`, 'kubevirt-ts volumes are files and a lun needs a block device; use disk')];
  if (disk.lun.reservation === true) out.push(notSupported(field.child('lun').child('reservation'), 'SCSI persistent reservation'));
  return out;
};

const matchVolume: DiskCheck = ({ disk, field }) => {
  if (!isOn(disk.blockSize?.matchVolume)) return [];
  return [notSupported(field.child('blockSize').child('matchVolume'), 'matching the block size of the volume', 'give blockSize.custom, or set matchVolume.enabled to false')];
};

const tray: DiskCheck = ({ disk, field }) => {
  const value = disk.cdrom?.tray;
  if (!isSet(value) || TRAYS.includes(value)) return [];
  return [notSupported(field.child('cdrom').child('tray'), `the tray state ${quote(value)}`, `use one of ${listOf(TRAYS)}`)];
};

/** The converter gives a shareable disk cache none, and refuses any other cache it asks for. */
const shareableCache: DiskCheck = ({ disk, field }) => {
  const value = disk.cache as string | undefined;
  if (disk.disk === undefined || disk.shareable !== true || !isSet(value) || value === 'none') return [];
  return [notSupported(field.child('cache'), `cache ${quote(value)} on a shareable disk`, 'a shareable disk needs cache "none"')];
};

const CHECKS: readonly DiskCheck[] = [changedBlockTracking, lun, matchVolume, tray, shareableCache];

/** Refuses per-disk settings the kubevirt-ts launcher cannot run. */
export const validateDiskSupport: SpecValidator = perDisk(CHECKS);
