// A converted domain full of hostile strings, defined (not started) in a REAL private libvirtd
// running as the unprivileged user, then read back: libvirt must hand the kernel command line, the
// disk serial, the SMBIOS serial and the name back byte for byte.
// Skips only outside CI when libvirtd or virsh is absent; in CI (CI=true) that is a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_FIRMWARE_SERIAL, HOSTILE_KERNEL_ARGS, HOSTILE_NAME, HOSTILE_NAMESPACE, WIDEST_DISK_SERIAL, hostileContext, hostileVmi,
} from '../../test/builders/hostile.js';
import { decodeDomain, encodeDomain } from '../domain/xml.js';
import type { Hypervisor } from '../runtime/hypervisor.js';
import { convertVmiToDomain } from './index.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../../test/fixtures/host.js';
import { startTestLibvirt, type TestLibvirt } from '../../test/fixtures/libvirt.js';

const AVAILABLE = haveTools(LIBVIRT_TOOLS);

describe.skipIf(!AVAILABLE && !IN_CI)('hostile values through a real libvirtd', () => {
  let libvirt: TestLibvirt | undefined;
  let h: Hypervisor | undefined;

  beforeAll(async () => {
    libvirt = await startTestLibvirt('kvt-hv-');
    h = libvirt.hypervisor;
  }, 60_000);

  afterAll(async () => {
    await libvirt?.stop();
  });

  it('defines the domain and reads every hostile string back unchanged', async () => {
    const hv = h as Hypervisor;
    const domain = convertVmiToDomain(hostileVmi(), hostileContext());
    const name = await hv.define(encodeDomain(domain));
    try {
      expect(name).toBe(`${HOSTILE_NAMESPACE}_${HOSTILE_NAME}`);
      const back = decodeDomain(await hv.domainXml(name));
      expect(back.name).toBe(name);
      expect(back.os.cmdline).toBe(HOSTILE_KERNEL_ARGS);
      expect(back.devices.disks[0]?.serial).toBe(WIDEST_DISK_SERIAL);
      expect(back.sysinfo?.system?.entries.find((e) => e.name === 'serial')?.value).toBe(HOSTILE_FIRMWARE_SERIAL);
      // libvirt makes the SMBIOS uuid the domain's own.
      expect(back.uuid).toBe(domain.sysinfo?.system?.entries.find((e) => e.name === 'uuid')?.value);
    } finally {
      await hv.undefine(name);
    }
  }, 60_000);
});
