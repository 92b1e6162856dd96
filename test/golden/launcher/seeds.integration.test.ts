// The golden VMIs with cloud-init and sysprep drives, started for real: their ISOs made by the
// launcher's volume preparation (genisoimage), granted to the QEMU user, the domain converted with
// those files and started under TCG in a private libvirtd, then destroyed. Proves QEMU takes two
// NoCloud disks (each on its own file), a cdrom whose tray KubeVirt writes open, a ConfigDrive and
// a sysprep cdrom. No disk is bootable, so the guest idles in SeaBIOS. Skips only outside CI when libvirt or
// genisoimage is absent; in CI that is a failure.
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertVmiToDomain } from '../../../launcher/converter/index.js';
import { decodeDomain, encodeDomain } from '../../../launcher/domain/xml.js';
import { grantWrite } from '../../../launcher/runtime/unprivileged-user.js';
import { prepareVolumes } from '../../../launcher/runtime/volumes.js';
import { haveTools as haveVolumeTools, makeClaim, makeVolumeHost, type VolumeHost } from '../../../launcher/runtime/volumes.testing.js';
import { staticObjectSource } from '../../../launcher/volumes/index.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools } from '../../fixtures/host.js';
import { startTestLibvirt, type TestLibvirt } from '../../fixtures/libvirt.js';
import { admittedVmi, goldenContext } from './cases.js';

const AVAILABLE = haveTools(LIBVIRT_TOOLS) && haveVolumeTools(['genisoimage', 'qemu-img', 'qemu-io']);

const OBJECTS = staticObjectSource({ configMaps: { 'demo/win-answers': { data: { 'autounattend.xml': '<unattend xmlns="urn:schemas-microsoft-com:unattend"/>\n' } } } });

describe.skipIf(!AVAILABLE && !IN_CI)('golden cloud-init and sysprep domains started under TCG', () => {
  let libvirt: TestLibvirt | undefined;
  let host: VolumeHost | undefined;

  beforeAll(async () => {
    libvirt = await startTestLibvirt('kvt-gs-');
    host = await makeVolumeHost();
  }, 60_000);

  afterAll(async () => {
    await libvirt?.stop();
    if (host !== undefined) await rm(host.root, { recursive: true, force: true });
  });

  it.each(['cloud-init-two-volumes', 'sysprep'])('starts %s with its ISOs built by the launcher', async (name) => {
    const lv = libvirt as TestLibvirt;
    const h = host as VolumeHost;
    const vmi = admittedVmi(name);
    if (name === 'sysprep') await makeClaim(h, 'demo', 'win-system');
    const vmiDir = join(h.vmiDir, name);
    await mkdir(vmiDir, { mode: 0o711 });
    const prepared = await prepareVolumes(vmi, {
      vmiDir, volumeStore: h.volumeStore, imageStore: h.imageStore, objects: OBJECTS, ...(lv.user === undefined ? {} : { qemuUser: lv.user }),
    });
    // The QEMU user makes the console and VNC sockets here.
    const guestDir = join(lv.baseDir, name);
    await mkdir(guestDir);
    if (lv.user !== undefined) await grantWrite(guestDir, lv.user);
    const ctx = goldenContext(name, {
      kvmUsable: false, allowEmulation: true, networkMode: 'user', volumes: prepared.volumes,
      serialSocketPath: join(guestDir, 's0'), serialLogPath: join(guestDir, 's0.log'), vncSocketPath: join(guestDir, 'vnc'),
    });
    const domainName = await lv.hypervisor.define(encodeDomain(convertVmiToDomain(vmi, ctx)));
    try {
      await lv.hypervisor.start(domainName);
      expect(await lv.hypervisor.status(domainName)).toEqual({ state: 'Running', reason: 'Unknown' });
      const live = await lv.hypervisor.domainXml(domainName);
      // Every drive is attached on its prepared file. (The open tray is KubeVirt's domain; libvirt
      // 9.0 starts the cdrom with its medium in and reports no tray.)
      const disks = Object.fromEntries(decodeDomain(live).devices.disks.map((d) => [d.alias?.name, d.source?.file]));
      expect(disks).toEqual(Object.fromEntries((vmi.spec.domain.devices.disks ?? []).map((d) => [`ua-${d.name}`, prepared.volumes[d.name]?.path])));
    } finally {
      await lv.hypervisor.destroy(domainName).catch(() => undefined);
      await lv.hypervisor.undefine(domainName);
    }
  }, 120_000);
});
