// The ISOs KubeVirt admits beside one cloud-init volume, really built (genisoimage) and read back
// with isoinfo: two NoCloud volumes and a ConfigDrive one (each kind from its first volume, a
// later volume of a kind a copy), and sysprep drives from a ConfigMap and a Secret (volume id
// unattendCD, every key a file, autounattend.xml required). Skips only outside CI when a tool is
// missing; under CI=true a missing tool fails.
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import { staticObjectSource, type StaticObjects } from '../volumes/index.js';
import { IN_CI } from '../../test/fixtures/host.js';
import { haveTools, isoFile, isoListing, isoVolumeId, makeVolumeHost, testVmi, type VolumeHost } from './volumes.testing.js';
import { prepareVolumes, type PrepareVolumesOptions } from './volumes.js';

const TOOLS = ['qemu-img', 'genisoimage', 'isoinfo'];
const ANSWER = '<?xml version="1.0"?><unattend xmlns="urn:schemas-microsoft-com:unattend"/>\n';

const OBJECTS: StaticObjects = {
  configMaps: { 'ns1/unattend': { data: { 'autounattend.xml': ANSWER, 'unattend.xml': '<unattend/>\n' } }, 'ns1/wrong': { data: { 'unattend.xml': 'x' } } },
  secrets: { 'ns1/win': { stringData: { 'Autounattend.xml': ANSWER } } },
};

describe.skipIf(!IN_CI && !haveTools(TOOLS))('cloud-init and sysprep ISOs built by genisoimage', () => {
  let host: VolumeHost;
  let options: PrepareVolumesOptions;

  beforeEach(async () => {
    host = await makeVolumeHost();
    // Files stay ours: these tests read the ISOs back, no QEMU user is involved.
    options = { vmiDir: host.vmiDir, volumeStore: host.volumeStore, hostDiskRoots: [], imageStore: host.imageStore, objects: staticObjectSource(OBJECTS) };
  });

  afterEach(async () => {
    await rm(host.root, { recursive: true, force: true });
  });

  it('builds an ISO per cloud-init volume: the first NoCloud data on both NoCloud disks, the ConfigDrive its own', async () => {
    const vmi = testVmi([
      { name: 'ci1', cloudInitNoCloud: { userData: '#cloud-config\nfirst: 1\n' } },
      { name: 'cd', cloudInitConfigDrive: { userData: '#cloud-config\ndrive: 1\n' } },
      { name: 'ci2', cloudInitNoCloud: { userData: '#cloud-config\nsecond: 1\n' } },
    ], { domain: { devices: { disks: [{ name: 'ci1', cdrom: { bus: 'sata', tray: 'open' } }, { name: 'cd', disk: { bus: 'virtio' } }, { name: 'ci2', disk: { bus: 'virtio' } }] }, firmware: { uuid: '5d307ca9-b3ef-428c-8861-06e72d69f223' } } });
    const { volumes } = await prepareVolumes(vmi, options);
    const [ci1, cd, ci2] = [volumes['ci1']?.path ?? '', volumes['cd']?.path ?? '', volumes['ci2']?.path ?? ''];
    expect(new Set([ci1, cd, ci2]).size).toBe(3);
    expect([await isoVolumeId(ci1), await isoVolumeId(cd), await isoVolumeId(ci2)]).toEqual(['cidata', 'config-2', 'cidata']);
    expect((await isoFile(ci1, '/user-data')).toString()).toBe('#cloud-config\nfirst: 1\n');
    expect((await isoFile(ci2, '/user-data')).toString()).toBe('#cloud-config\nfirst: 1\n');
    expect((await isoFile(cd, '/openstack/latest/user_data')).toString()).toBe('#cloud-config\ndrive: 1\n');
  });

  it.each([
    ['a ConfigMap: every key a file', { configMap: { name: 'unattend' } }, ['/autounattend.xml', '/unattend.xml'], '/autounattend.xml'],
    ['a Secret whose answer file has another case', { secret: { name: 'win' } }, ['/Autounattend.xml'], '/Autounattend.xml'],
  ])('builds the sysprep drive from %s', async (_what, sysprep, listing, answer) => {
    const vmi = testVmi([{ name: 'sysprep', sysprep }], { domain: { devices: { disks: [{ name: 'sysprep', cdrom: { bus: 'sata' } }] } } });
    const { volumes } = await prepareVolumes(vmi, options);
    const iso = volumes['sysprep']?.path ?? '';
    expect(iso).toBe(`${host.vmiDir}/sysprep-disks/sysprep.iso`);
    expect(await isoVolumeId(iso)).toBe('unattendCD');
    expect((await isoListing(iso)).filter((l) => l.endsWith('.xml'))).toEqual(listing);
    expect((await isoFile(iso, answer)).toString()).toBe(ANSWER);
  });

  it.each([
    ['an object without autounattend.xml', 'wrong', 'has no autounattend.xml key'],
    ['a missing object', 'absent', 'does not exist in namespace ns1'],
  ])('refuses a sysprep drive from %s, naming the field', async (_what, name, message) => {
    const vmi = testVmi([{ name: 'sysprep', sysprep: { configMap: { name } } }], { domain: { devices: { disks: [{ name: 'sysprep', cdrom: {} }] } } });
    const error = await prepareVolumes(vmi, options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).field).toBe('spec.volumes[0].sysprep.configMap');
    expect((error as ConversionError).message).toContain(message);
  });
});
