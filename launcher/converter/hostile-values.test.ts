// Hostile values stay data: markup characters survive conversion and encoding where libvirt's
// grammar allows them, and are refused with a ConversionError naming the field where it does not.
// Skips the schema check only outside CI when virt-xml-validate (or xmllint) is missing.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import {
  HOSTILE, HOSTILE_FIRMWARE_SERIAL, HOSTILE_KERNEL_ARGS, HOSTILE_NAME, HOSTILE_NAMESPACE, WIDEST_DISK_SERIAL, hostileContext, hostileVmi,
} from '../../test/builders/hostile.js';
import { withSpec, type VmiOption } from '../../test/builders/vmi.js';
import { decodeDomain, encodeDomain } from '../domain/xml.js';
import { convertVmiToDomain } from './index.js';
import { IN_CI, haveTools } from '../../test/fixtures/host.js';

const run = promisify(execFile);
/** virt-xml-validate is a shell script around xmllint: both must be there. */
const VALIDATOR = haveTools(['xmllint', 'virt-xml-validate']);

describe('hostile values', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'kvt-hostile-')); });
  afterAll(async () => { if (dir !== '') await rm(dir, { recursive: true, force: true }); });

  const xml = encodeDomain(convertVmiToDomain(hostileVmi(), hostileContext()));

  it('keeps every hostile string byte for byte through encode and decode', () => {
    const d = decodeDomain(xml);
    expect(d.name).toBe(`${HOSTILE_NAMESPACE}_${HOSTILE_NAME}`);
    expect(d.os.cmdline).toBe(HOSTILE_KERNEL_ARGS);
    expect(d.devices.disks[0]?.serial).toBe(WIDEST_DISK_SERIAL);
    expect(d.sysinfo?.system?.entries.find((e) => e.name === 'serial')?.value).toBe(HOSTILE_FIRMWARE_SERIAL);
    expect(d.sysinfo?.system?.entries.find((e) => e.name === 'manufacturer')?.value).toBe(HOSTILE);
    expect(d.sysinfo?.chassis?.entries.find((e) => e.name === 'manufacturer')?.value).toBe(HOSTILE);
  });

  it('never lets a value close an element or a CDATA section', () => {
    expect(xml).not.toContain(']]>');
    expect(xml).not.toMatch(/<[^>]*'"/);
    expect(xml.match(/<name>/g)).toHaveLength(1);
  });

  it.skipIf(!VALIDATOR && !IN_CI)('passes virt-xml-validate', async () => {
    if (!VALIDATOR) throw new Error('virt-xml-validate and xmllint are required in CI (Debian libvirt-clients and libxml2-utils)');
    const file = join(dir, 'hostile.xml');
    await writeFile(file, xml);
    const { stdout, stderr } = await run('virt-xml-validate', [file, 'domain']);
    expect(`${stdout}${stderr}`).toContain('validates');
  });

  const edit = (f: (vmi: ReturnType<typeof hostileVmi>) => void): VmiOption => (v) => f(v);
  it.each<[string, VmiOption]>([
    ['spec.domain.devices.disks[0].serial', edit((v) => { v.spec.domain.devices.disks![0]!.serial = `s${HOSTILE}`; })],
    ['spec.domain.devices.interfaces[0].name', withSpec((s) => {
      s.domain.devices.interfaces = [{ name: `nic${HOSTILE}`, masquerade: {} }];
      s.networks = [{ name: `nic${HOSTILE}`, pod: {} }];
    })],
    ['spec.domain.devices.disks[0].name', withSpec((s) => {
      s.domain.devices.disks = [{ name: `d${HOSTILE}`, disk: { bus: 'virtio' } }];
      s.volumes = [{ name: `d${HOSTILE}`, emptyDisk: { capacity: '1Gi' } }];
    })],
    ['spec.domain.firmware.kernelBoot.kernelArgs', edit((v) => { v.spec.domain.firmware!.kernelBoot!.kernelArgs = 'a\nb'; })],
    ['metadata.name', edit((v) => { v.metadata.name = 'a/b'; })],
    ['spec.domain.clock.timezone', edit((v) => { v.spec.domain.clock = { timezone: `Europe/${HOSTILE}` }; })],
  ])('refuses a hostile %s with a ConversionError naming it', (field, option) => {
    const vmi = hostileVmi(option);
    const ctx = hostileContext({ volumes: { ...hostileContext().volumes, [`d${HOSTILE}`]: { type: 'file', path: '/tmp/d.qcow2', format: 'qcow2' } } });
    let caught: unknown;
    try { convertVmiToDomain(vmi, ctx); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(ConversionError);
    expect((caught as ConversionError).field).toBe(field);
  });
});
