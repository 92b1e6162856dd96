/**
 * KubeVirt's disk↔volume mapping and boot order rules (B22–B28): every disk but a cdrom needs a
 * volume of its name, a lun needs a claim, a downwardMetrics volume needs a virtio disk, and boot
 * orders are positive and used once across disks and then interfaces.
 *
 * B23 (an empty CD-ROM needs the DeclarativeHotplugVolumes gate) is a gate rule for a feature
 * kubevirt-ts implements: the converter attaches a cdrom without a volume as an empty drive. So an
 * empty CD-ROM is accepted whatever the gates say.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateBootOrder)
 */
import type { FieldPath } from '../../../core/field-path.js';
import type { Disk, Interface, Volume } from '../../../crd-gen/index.js';
import { CauseType, cause, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { devicesOf, devicesPath, invalid, isSet, quote } from './common.js';

/** B24: a lun needs a PersistentVolumeClaim or a DataVolume. */
function lunVolume(disk: Readonly<Disk>, volume: Readonly<Volume>, field: FieldPath): Cause[] {
  if (disk.lun === undefined || volume.persistentVolumeClaim !== undefined || volume.dataVolume !== undefined) return [];
  const at = field.child('lun');
  return [invalid(at, `${at}: the lun ${quote(disk.name)} can only map to a DataVolume or PersistentVolumeClaim volume`)];
}

/** B25, B26: a downwardMetrics volume is read through a virtio disk. */
function downwardMetricsDisk(disk: Readonly<Disk>, volume: Readonly<Volume>, field: FieldPath): Cause[] {
  if (volume.downwardMetrics === undefined) return [];
  if (disk.disk === undefined) {
    const at = field.child('disk');
    return [cause(CauseType.Required, at, `${at} is required: the downwardMetrics volume ${quote(volume.name)} must map to a disk-type disk`)];
  }
  const bus = disk.disk.bus;
  if (!isSet(bus) || bus === 'virtio') return [];
  const at = field.child('disk').child('bus');
  return [invalid(at, `${at} ${quote(bus)}: the downwardMetrics volume ${quote(volume.name)} needs the virtio bus`)];
}

/** B22 (and B23, accepted) and B24–B26 for one disk. */
function diskVolume(disk: Readonly<Disk>, volumes: ReadonlyMap<string, Readonly<Volume>>, field: FieldPath): Cause[] {
  const volume = volumes.get(disk.name);
  if (volume !== undefined) return [...lunVolume(disk, volume, field), ...downwardMetricsDisk(disk, volume, field)];
  if (disk.cdrom !== undefined) return [];
  const at = field.child('name');
  return [invalid(at, `${at} '${disk.name}' not found.`)];
}

/** Boot orders seen so far, shared by disks and then interfaces (B27). */
class BootOrders {
  private readonly used = new Set<number>();

  /** B27: a cause when `order` is taken; records it either way. */
  take(order: number | undefined, at: FieldPath): Cause[] {
    if (order === undefined) return [];
    const taken = this.used.has(order);
    this.used.add(order);
    return taken ? [invalid(at, `${at} ${order} is already used by another device; boot orders must be unique`)] : [];
  }
}

/** B28, then B27: an interface's boot order is positive (a bad one is not recorded) and unused. */
function interfaceBootOrder(iface: Readonly<Interface>, at: FieldPath, orders: BootOrders): Cause[] {
  const order = iface.bootOrder;
  if (order !== undefined && order < 1) return [invalid(at, `${at} must be greater than 0 when given, not ${order}`)];
  return orders.take(order, at);
}

/**
 * B22–B28. KubeVirt reports B28 on `spec[i].bootOrder`; we report the interface's real field.
 * @see ../../../../shared/design/kubevirt/rules-devices.md (Disk ↔ volume mapping and boot order)
 */
export const validateDiskVolumesAndBootOrder: SpecValidator = (spec, path) => {
  const devices = devicesOf(spec);
  const base = devicesPath(path);
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const orders = new BootOrders();
  const diskCauses = (devices.disks ?? []).flatMap((disk, i) => {
    const field = base.child('disks').index(i);
    return [...diskVolume(disk, volumes, field), ...orders.take(disk.bootOrder, field.child('bootOrder'))];
  });
  const ifaceCauses = (devices.interfaces ?? []).flatMap((iface, i) =>
    interfaceBootOrder(iface, base.child('interfaces').index(i).child('bootOrder'), orders));
  return [...diskCauses, ...ifaceCauses];
};
