import { describe, expect, it } from 'vitest';
import type { Interface as VmiInterface } from '../../crd-gen/index.js';
import { newRawVmi, newVmi, withDevices, withInterface } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import type { NetworkMode } from './context.js';
import { emptyDomain } from './configurator.js';
import { configureInterfaces, interfaceQueues } from './interfaces.js';

const POD = { pod: {} };
const ifacesOf = (iface: VmiInterface, networkMode: NetworkMode = 'tap', ...more: VmiOption[]) =>
  configureInterfaces(newVmi(withInterface(iface, POD), ...more), testContext({ networkMode }), emptyDomain()).devices.interfaces;
const MODEL = { type: 'virtio-non-transitional' };

describe('configureInterfaces', () => {
  it.each([
    ['masquerade on a tap', { name: 'default', masquerade: {} }, 'tap', [{ type: 'ethernet', model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-default' } }]],
    ['bridge on a tap', { name: 'default', bridge: {} }, 'tap', [{ type: 'ethernet', model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-default' } }]],
    ['user-mode networking for a session libvirtd', { name: 'default', masquerade: {} }, 'user', [{ type: 'user', model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-default' } }]],
    ['model, MAC (dashes become colons), boot order, link down', { name: 'n1', bridge: {}, model: 'e1000', macAddress: 'DE-AD-00-00-BE-AF', bootOrder: 2, state: 'down' }, 'tap', [{
      type: 'ethernet', model: { type: 'e1000' }, mac: { address: 'DE:AD:00:00:BE:AF' }, boot: { order: 2 }, link: { state: 'down' }, alias: { name: 'ua-n1' },
    }]],
    ['PCI address and ACPI index', { name: 'n', masquerade: {}, pciAddress: '0000:02:01.0', acpiIndex: 3 }, 'tap', [{
      type: 'ethernet', model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-n' }, address: { type: 'pci', domain: '0x0000', bus: '0x02', slot: '0x01', function: '0x0' }, acpi: { index: 3 },
    }]],
    ['an absent interface is left out', { name: 'gone', bridge: {}, state: 'absent' }, 'tap', []],
  ] as const)('%s', (_what, iface, mode, expected) => {
    expect(ifacesOf(iface as VmiInterface, mode)).toEqual(expected);
  });

  const NICS = { default: { tap: 'tap0', mac: '02:11:22:33:44:55', mtu: 1450 } };
  it.each([
    ['masquerade: the tap, unmanaged, the pod MTU and the launcher MAC', { name: 'default', masquerade: {} }, [{
      type: 'ethernet', target: { dev: 'tap0', managed: 'no' }, mtu: { size: 1450 }, mac: { address: '02:11:22:33:44:55' }, model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-default' },
    }]],
    ['bridge: the VMI MAC wins over the launcher one', { name: 'default', bridge: {}, macAddress: '02-00-00-00-00-0A' }, [{
      type: 'ethernet', target: { dev: 'tap0', managed: 'no' }, mtu: { size: 1450 }, mac: { address: '02:00:00:00:00:0A' }, model: MODEL, rom: { enabled: 'no' }, alias: { name: 'ua-default' },
    }]],
  ] as const)('on a prepared tap, %s', (_what, iface, expected) => {
    const vmi = newVmi(withInterface(iface as VmiInterface, POD));
    expect(configureInterfaces(vmi, testContext({ networkMode: 'tap', podNics: NICS }), emptyDomain()).devices.interfaces).toEqual(expected);
  });

  it('refuses an interface with no prepared tap (only the pod network binds)', () => {
    const vmi = newVmi(withInterface({ name: 'default', masquerade: {} }, POD));
    expect(() => configureInterfaces(vmi, testContext({ networkMode: 'tap', podNics: {} }), emptyDomain()))
      .toThrow('spec.domain.devices.interfaces[0].name: interface "default" is not on the pod network');
  });

  it.each([
    ['no multi-queue', {}, 1],
    ['multi-queue, 3 vCPUs', { networkInterfaceMultiqueue: true }, 3],
    ['multi-queue on e1000', { networkInterfaceMultiqueue: true, model: 'e1000' }, 1],
  ])('interfaceQueues: %s', (_w, fields, queues) => {
    const { model, ...devices } = fields as { model?: string; networkInterfaceMultiqueue?: boolean };
    const vmi = newVmi(withInterface({ name: 'd', masquerade: {}, ...(model ? { model } : {}) } as VmiInterface, POD), withDevices(devices), (v) => { v.spec.domain.cpu = { sockets: 3 }; });
    expect(interfaceQueues(vmi, vmi.spec.domain.devices.interfaces?.[0] as VmiInterface)).toBe(queues);
  });

  it('gives virtio NICs one vhost queue per vCPU with multi-queue on a tap only', () => {
    const multi = withDevices({ networkInterfaceMultiqueue: true });
    const cpus = (v: ReturnType<typeof newRawVmi>) => { v.spec.domain.cpu = { sockets: 3 }; };
    expect(ifacesOf({ name: 'd', masquerade: {} }, 'tap', multi, cpus)[0]?.driver).toEqual({ name: 'vhost', queues: 3 });
    expect(ifacesOf({ name: 'd', masquerade: {} }, 'user', multi, cpus)[0]?.driver).toBeUndefined();
    const noVhost = configureInterfaces(newVmi(withInterface({ name: 'd', masquerade: {} }, POD), multi, cpus), testContext({ networkMode: 'tap', vhostNet: false }), emptyDomain());
    expect(noVhost.devices.interfaces[0]?.driver).toEqual({ name: 'qemu', queues: 3 });
  });

  it.each([
    ['a missing network', (v: ReturnType<typeof newRawVmi>) => { v.spec.networks = []; }, { name: 'default', masquerade: {} }, 'spec.domain.devices.interfaces[0].name: no network named "default"'],
    ['SR-IOV', () => undefined, { name: 'default', sriov: {} }, 'spec.domain.devices.interfaces[0]: the SR-IOV binding is not supported'],
    ['a binding plugin', () => undefined, { name: 'default', binding: { name: 'x' } }, 'the network binding plugin binding is not supported'],
    ['passt', () => undefined, { name: 'default', passtBinding: {} }, 'the passt binding is not supported'],
    ['a multicast MAC', () => undefined, { name: 'default', bridge: {}, macAddress: '01:00:00:00:00:01' }, 'spec.domain.devices.interfaces[0].macAddress'],
    ['a name no alias can hold', () => undefined, { name: `n'"<>&`, bridge: {} }, `spec.domain.devices.interfaces[0].name: "n'\\"<>&" is not allowed`],
  ])('refuses %s', (_what, edit, iface, message) => {
    const vmi = newVmi(withInterface(iface as VmiInterface, POD));
    edit(vmi);
    expect(() => configureInterfaces(vmi, testContext(), emptyDomain())).toThrow(message);
  });
});
