/**
 * One `<interface>` per VMI interface that is not `state: absent`, in list order. Masquerade and
 * bridge bindings attach through a tap the launcher prepares (`type="ethernet"`), or through QEMU's
 * user-mode stack when the host's session libvirtd cannot create taps (`type="user"`). Other
 * bindings are refused. The launcher fills in tap name, MTU and (when unset) the MAC afterwards.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/network/configurator.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Interface as VmiInterface, VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Interface } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import type { ConverterContext } from './context.js';
import { requestedVcpus } from './cpu-topology.js';
import { matching, pciAddress, userAlias, virtioModel } from './values.js';
import { DEFAULT_INTERFACE_MODEL, interfaceModelOf } from '../../core/implicit-defaults.js';

type Vmi = Readonly<VirtualMachineInstance>;

/** Bindings kubevirt-ts cannot attach, with the words the refusal uses. */
const UNSUPPORTED_BINDINGS = [['sriov', 'SR-IOV'], ['passtBinding', 'passt'], ['binding', 'network binding plugin'], ['macvtap', 'macvtap'], ['slirp', 'slirp'], ['passt', 'passt']] as const;
/** libvirt's `uniMacAddr` (a unicast MAC, colon-separated). */
const UNICAST_MAC = /^[a-fA-F0-9][02468aAcCeE](:[a-fA-F0-9]{2}){5}$/;
/** libvirt's NIC model pattern. */
const NIC_MODEL = /^[a-zA-Z0-9\-_]+$/;
/** The most queues QEMU gives a vhost NIC. */
const MAX_QUEUES = 256;

function checkBinding(field: string, iface: VmiInterface): void {
  if (iface.masquerade !== undefined || iface.bridge !== undefined) return;
  const unsupported = UNSUPPORTED_BINDINGS.find(([key]) => iface[key] !== undefined);
  if (unsupported !== undefined) throw new ConversionError(field, `the ${unsupported[1]} binding is not supported by kubevirt-ts; use masquerade or bridge`);
  throw new ConversionError(field, 'has no binding (admission sets bridge or masquerade)');
}

function model(vmi: Vmi, field: string, iface: VmiInterface): string {
  const m = interfaceModelOf(iface);
  if (m === DEFAULT_INTERFACE_MODEL) return virtioModel(vmi.spec.domain.devices.useVirtioTransitional);
  return matching(`${field}.model`, m, NIC_MODEL, 'letters, digits, "-" and "_" only');
}

/** A MAC written with dashes is the same MAC; libvirt's grammar wants colons. */
function mac(field: string, address: string | undefined): Pick<Interface, 'mac'> {
  if (!address) return {};
  return { mac: { address: matching(`${field}.macAddress`, address.replaceAll('-', ':'), UNICAST_MAC, 'a unicast MAC address such as 02:00:00:00:00:01') } };
}

/** Boot order, or the NIC's option ROM turned off so it cannot boot at all (amd64). */
function boot(iface: VmiInterface): Pick<Interface, 'boot' | 'rom'> {
  return iface.bootOrder === undefined ? { rom: { enabled: 'no' } } : { boot: { order: iface.bootOrder } };
}

function placement(field: string, iface: VmiInterface): Pick<Interface, 'address' | 'acpi'> {
  return {
    ...(iface.pciAddress ? { address: pciAddress(`${field}.pciAddress`, iface.pciAddress) } : {}),
    ...(iface.acpiIndex === undefined ? {} : { acpi: { index: iface.acpiIndex } }),
  };
}

/**
 * vhost queues of a NIC on a tap: one per vCPU (up to 256) with `networkInterfaceMultiqueue` on a
 * virtio model, else 1. The launcher creates the tap with as many queues (multi_queue when above 1).
 */
export function interfaceQueues(vmi: Vmi, iface: VmiInterface): number {
  return isMultiqueue(vmi, iface) ? Math.min(requestedVcpus(vmi), MAX_QUEUES) : 1;
}

const isMultiqueue = (vmi: Vmi, iface: VmiInterface): boolean =>
  vmi.spec.domain.devices.networkInterfaceMultiqueue === true && interfaceModelOf(iface).startsWith('virtio');

/** Multi-queue, one queue per vCPU (up to 256): only for virtio NICs on a tap; vhost where the host has it. */
function multiqueue(vmi: Vmi, ctx: ConverterContext, iface: VmiInterface): Pick<Interface, 'driver'> {
  if (ctx.networkMode !== 'tap' || !isMultiqueue(vmi, iface)) return {};
  return { driver: { name: ctx.vhostNet === false ? 'qemu' : 'vhost', queues: interfaceQueues(vmi, iface) } };
}

/**
 * The launcher's side of a NIC on a tap it prepared (KubeVirt fills these in after conversion):
 * `<target dev=TAP managed="no"/>`, the pod's MTU, and the MAC the guest gets when the VMI names
 * none. With prepared taps, an interface without one cannot attach: only the pod network binds.
 */
function podNic(ctx: ConverterContext, field: string, iface: VmiInterface): Pick<Interface, 'target' | 'mtu' | 'mac'> {
  if (ctx.networkMode !== 'tap' || ctx.podNics === undefined) return {};
  const nic = ctx.podNics[iface.name];
  if (nic === undefined) throw new ConversionError(`${field}.name`, `interface "${iface.name}" is not on the pod network; kubevirt-ts binds only the pod network`);
  return { target: { dev: nic.tap, managed: 'no' }, mtu: { size: nic.mtu }, ...(iface.macAddress ? {} : { mac: { address: nic.mac } }) };
}

function convertInterface(vmi: Vmi, ctx: ConverterContext, iface: VmiInterface, index: number): Interface {
  const field = `spec.domain.devices.interfaces[${index}]`;
  if (!(vmi.spec.networks ?? []).some((n) => n.name === iface.name)) {
    throw new ConversionError(`${field}.name`, `no network named "${iface.name}" in spec.networks`);
  }
  checkBinding(field, iface);
  const modelType = model(vmi, field, iface);
  return {
    type: ctx.networkMode === 'tap' ? 'ethernet' : 'user',
    ...podNic(ctx, field, iface),
    model: { type: modelType },
    ...mac(field, iface.macAddress),
    ...boot(iface),
    ...(iface.state === 'down' ? { link: { state: 'down' } } : {}),
    alias: userAlias(`${field}.name`, iface.name),
    ...multiqueue(vmi, ctx, iface),
    ...placement(field, iface),
  };
}

/** Sets `<interface>` for every present VMI interface. */
export const configureInterfaces: Configurator = (vmi, ctx, domain) => {
  const ifaces = vmi.spec.domain.devices.interfaces ?? [];
  const interfaces = ifaces.flatMap((iface, i) => (iface.state === 'absent' ? [] : [convertInterface(vmi, ctx, iface, i)]));
  return { ...domain, devices: { ...domain.devices, interfaces } };
};
