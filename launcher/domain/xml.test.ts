import { describe, expect, it } from 'vitest';
import type { DomainSpec } from './schema.js';
import { DomainXmlError, decodeDomain, encodeDomain } from './xml.js';

const devices = (): DomainSpec['devices'] => ({ interfaces: [], channels: [], controllers: [], videos: [], graphics: [], disks: [], inputs: [], serials: [], consoles: [], watchdogs: [], rngs: [], tpms: [], memories: [] });
const minimal = (over: Partial<DomainSpec> = {}): DomainSpec => ({
  type: 'kvm', name: 'ns_vm', memory: { value: 1024, unit: 'b' }, os: { type: { arch: 'x86_64', machine: 'q35', value: 'hvm' } }, devices: devices(), ...over,
});

const HOSTILE = `  a'"<>&]]> b  `;

describe('encodeDomain / decodeDomain', () => {
  it.each<[string, DomainSpec]>([
    ['a minimal domain', minimal()],
    ['hostile text and attributes', minimal({
      name: HOSTILE,
      os: { type: { arch: 'x86_64', machine: HOSTILE, value: HOSTILE }, cmdline: HOSTILE, kernel: '/k', loader: { readonly: 'yes', path: '/x' } },
      sysinfo: { type: 'smbios', system: { entries: [{ name: 'serial', value: HOSTILE }, { name: 'sku', value: '' }] } },
      metadata: { kubevirt: { uid: '' } },
    })],
    ['devices, features and cpu', minimal({
      memory: { value: 4 * 2 ** 30, unit: 'b' },
      maxMemory: { value: 4 * 2 ** 30, unit: 'b', slots: 1 },
      memoryBacking: { hugepages: true, source: { type: 'memfd' } },
      devices: {
        ...devices(),
        disks: [{ device: 'disk', type: 'file', model: 'virtio-non-transitional', source: { file: '/d' }, target: { bus: 'virtio', dev: 'vda' }, serial: 'S 1', driver: { errorPolicy: 'stop', name: 'qemu', type: 'qcow2', iothread: 1, discard: 'unmap' }, readonly: true, alias: { name: 'ua-d' }, backingStore: { type: 'file', format: { type: 'raw' }, source: { file: '/b' } }, boot: { order: 1 }, shareable: true }],
        controllers: [{ type: 'pci', index: 0, model: 'pcie-root', pcihole64: { unit: 'KiB', value: 0 } }],
        interfaces: [{ type: 'user', model: { type: 'e1000' }, mac: { address: '02:00:00:00:00:01' }, rom: { enabled: 'no' }, acpi: { index: 2 }, alias: { name: 'ua-n' } }],
        memballoon: { model: 'virtio', stats: { period: 10 }, freePageReporting: 'on' },
        memories: [{ model: 'virtio-mem', target: { size: { value: 3 * 2 ** 30, unit: 'b' }, requested: { value: 0, unit: 'b' }, node: 0, block: { value: 2 * 2 ** 20, unit: 'b' } } }],
      },
      clock: { offset: 'utc', adjustment: 'reset', timers: [{ name: 'rtc', tickpolicy: 'catchup', present: 'yes', track: 'guest' }] },
      features: { acpi: true, hyperv: { spinlocks: { state: 'on', retries: 4096 }, stimer: { state: 'on', direct: { state: 'on' } } }, smm: true, vmport: { state: 'off' } },
      cpu: { mode: 'custom', model: { value: 'Haswell' }, features: [{ name: 'mpx', policy: 'disable' }], topology: { sockets: 2, cores: 1, threads: 1 }, numa: { cells: [{ id: 0, cpus: '0-1', memory: 1, unit: 'KiB' }] } },
      vcpu: { placement: 'static', value: 2 },
      vcpus: { vcpus: [{ id: 0, enabled: 'yes', hotpluggable: 'no' }, { id: 1, enabled: 'no', hotpluggable: 'yes' }] },
      iothreads: 1,
      onReboot: 'destroy',
    })],
  ])('round-trips %s', (_what, domain) => {
    expect(decodeDomain(encodeDomain(domain))).toEqual(domain);
  });

  it('escapes every markup character, in text and in attributes, and keeps the qemu namespace', () => {
    const xml = encodeDomain(minimal({ name: `<x>&"'`, os: { type: { arch: 'x86_64', machine: `q"><x a='`, value: 'hvm' } } }));
    expect(xml).toContain('<name>&lt;x&gt;&amp;&quot;&apos;</name>');
    expect(xml).toContain('<type arch="x86_64" machine="q&quot;&gt;&lt;x a=&apos;">hvm</type>');
    expect(xml).toMatch(/^<domain type="kvm" xmlns:qemu="http:\/\/libvirt.org\/schemas\/domain\/qemu\/1.0">/);
  });

  it.each([
    ['an empty features block', minimal({ features: {} }), '<features'],
    ['an empty sysinfo table', minimal({ sysinfo: { type: 'smbios', bios: { entries: [] } } }), '<bios'],
    ['a false flag', minimal({ features: { acpi: false, apic: true } }), '<acpi'],
  ])('leaves out %s', (_what, domain, absent) => {
    expect(encodeDomain(domain)).not.toContain(absent);
  });

  it('reads libvirt\'s own spelling (single quotes, entities, unmodelled elements)', () => {
    const xml = `<domain type='kvm' id='3'><name>a&apos;b</name><uuid>x</uuid><memory unit='KiB'>262144</memory>
      <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><boot dev='hd'/><cmdline> x=1 </cmdline></os>
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><disk type='file' device='disk'><target dev='vda' bus='virtio'/><serial>S</serial></disk></devices></domain>`;
    const d = decodeDomain(xml);
    expect([d.name, d.memory, d.os.cmdline, d.devices.disks[0]?.serial, d.devices.emulator]).toEqual(["a'b", { unit: 'KiB', value: 262144 }, ' x=1 ', 'S', '/usr/bin/qemu-system-x86_64']);
  });

  it('reads libvirt\'s virtio-mem device apart from the <memory> total (KiB, runtime-only children ignored)', () => {
    const xml = `<domain type='qemu'><name>m</name><maxMemory slots='1' unit='KiB'>4194304</maxMemory><memory unit='KiB'>4194304</memory>
      <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
      <devices><memory model='virtio-mem'><target><size unit='KiB'>3145728</size><node>0</node><block unit='KiB'>2048</block>
      <requested unit='KiB'>0</requested><current unit='KiB'>0</current></target><alias name='virtiomem0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></memory></devices></domain>`;
    const d = decodeDomain(xml);
    expect([d.memory, d.maxMemory]).toEqual([{ unit: 'KiB', value: 4194304 }, { unit: 'KiB', slots: 1, value: 4194304 }]);
    expect(d.devices.memories).toEqual([{
      model: 'virtio-mem',
      target: { size: { unit: 'KiB', value: 3145728 }, requested: { unit: 'KiB', value: 0 }, node: 0, block: { unit: 'KiB', value: 2048 } },
    }]);
  });

  it.each([
    ['a document without <domain>', '<network/>', 'no <domain> root element'],
    ['a non-numeric count', "<domain type='kvm'><memory unit='b'>lots</memory></domain>", 'domain/memory: expected a whole number'],
  ])('refuses %s', (_what, xml, message) => {
    expect(() => decodeDomain(xml)).toThrow(DomainXmlError);
    expect(() => decodeDomain(xml)).toThrow(message);
  });
});
