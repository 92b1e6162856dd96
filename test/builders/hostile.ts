/**
 * A VMI full of markup characters (`'"<>&` and `]]>`) in every free-text field libvirt's grammar
 * lets them into, shared by the hostile-value unit test and its libvirtd integration test.
 */
import type { ConverterContext } from '../../launcher/converter/context.js';
import { TEST_RUN_DIR, testContext } from './context.js';
import { newVmi, withDevices, withDisk, withDomain, withInterface, withName, type VmiOption } from './vmi.js';

/** The hostile characters, as one string. */
export const HOSTILE = `'"<>&]]>`;
/** A VMI name with every hostile character. */
export const HOSTILE_NAME = `vm${HOSTILE}`;
/** A VMI name with every hostile character. */
/** A namespace with every hostile character. */
export const HOSTILE_NAMESPACE = `ns${HOSTILE}`;
/** Kernel arguments with hostile characters and leading/trailing spaces (libvirt keeps both). */
export const HOSTILE_KERNEL_ARGS = ` console=ttyS0 x=${HOSTILE} y="${HOSTILE}" `;
/** An SMBIOS serial with every hostile character. */
export const HOSTILE_FIRMWARE_SERIAL = `sn${HOSTILE}`;
/** The most a disk serial may hold: libvirt's grammar allows letters, digits, `_ . + -` and space. */
export const WIDEST_DISK_SERIAL = 'Az09_.+- end';

/** A hostile VMI; pass more options to make one field hostile beyond what libvirt allows. */
export function hostileVmi(...more: readonly VmiOption[]): ReturnType<typeof newVmi> {
  return newVmi(
    withName(HOSTILE_NAME, HOSTILE_NAMESPACE),
    withDomain({
      firmware: { serial: HOSTILE_FIRMWARE_SERIAL, kernelBoot: { kernelArgs: HOSTILE_KERNEL_ARGS, container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz' } } },
      chassis: { manufacturer: HOSTILE },
    }),
    withDisk({ name: 'rootdisk', disk: { bus: 'virtio' }, serial: WIDEST_DISK_SERIAL }, { emptyDisk: { capacity: '1Gi' } }),
    withInterface({ name: 'default', masquerade: {} }, { pod: {} }),
    withDevices({ autoattachGraphicsDevice: false }),
    ...more,
  );
}

/** A host context for {@link hostileVmi}: TCG, user networking (a session libvirtd makes no taps). */
export function hostileContext(overrides: Partial<ConverterContext> = {}): ConverterContext {
  return testContext({
    kvmUsable: false,
    allowEmulation: true,
    networkMode: 'user',
    kernelBoot: { kernel: `${TEST_RUN_DIR}/kernel-boot/vmlinuz` },
    smbios: { manufacturer: HOSTILE, family: 'KubeVirt', product: 'None', sku: '', version: '' },
    volumes: { rootdisk: { type: 'file', path: `${TEST_RUN_DIR}/empty-disks/rootdisk.qcow2`, format: 'qcow2' } },
    ...overrides,
  });
}
