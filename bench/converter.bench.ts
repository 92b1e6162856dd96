/**
 * Converter throughput for the 13-disk golden VMI (the shape PERFORMANCE.md measures KubeVirt
 * with): conversions/s of VMI → DomainSpec → XML string, and XML bytes/s. Baselines from the same
 * run: encoding a pre-built DomainSpec only (the codec's share), and JSON.stringify of the VMI (a
 * floor for any one-pass serialisation of the input). PERFORMANCE.md's target: ≥ 5,300/s.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLUSTER_CONFIG } from '../core/cluster-config.js';
import { parseKubeYamlDocuments } from '../core/yaml.js';
import type { VirtualMachineInstance } from '../crd-gen/index.js';
import type { ConverterContext } from '../launcher/converter/context.js';
import { convertVmiToDomain } from '../launcher/converter/index.js';
import { encodeDomain } from '../launcher/domain/xml.js';
import { testContext } from '../test/builders/context.js';
import { TEST_FIRMWARE_UUID, TEST_UID } from '../test/builders/vmi.js';
import { applyVmiDefaults } from '../webhooks/mutate/vmi-defaults.js';
import { rate, row, type Benchmark } from './harness.js';

const CASE = fileURLToPath(new URL('../test/golden/launcher/thirteen-disks/', import.meta.url));

function load(): { vmi: VirtualMachineInstance; ctx: ConverterContext } {
  const raw = parseKubeYamlDocuments(readFileSync(`${CASE}vmi.yaml`, 'utf8'))[0]?.toJS() as VirtualMachineInstance;
  raw.metadata = { uid: TEST_UID, ...raw.metadata };
  const vmi = applyVmiDefaults(raw, DEFAULT_CLUSTER_CONFIG, { firmwareUuid: TEST_FIRMWARE_UUID });
  const ctx = testContext(JSON.parse(readFileSync(`${CASE}context.json`, 'utf8')) as Partial<ConverterContext>);
  return { vmi, ctx };
}

const bench: Benchmark = async () => {
  const { vmi, ctx } = load();
  if (vmi.spec.domain.devices.disks?.length !== 13) throw new Error('the thirteen-disks golden case no longer has 13 disks');
  const domain = convertVmiToDomain(vmi, ctx);
  const bytes = Buffer.byteLength(encodeDomain(domain));
  const convert = rate(() => encodeDomain(convertVmiToDomain(vmi, ctx)));
  const encodeOnly = rate(() => encodeDomain(domain));
  const stringify = rate(() => JSON.stringify(vmi));
  return [
    row('converter, 13-disk VMI → domain XML', convert, 'conversions/s', encodeOnly),
    row('converter, 13-disk VMI → domain XML, vs JSON.stringify(VMI)', convert, 'conversions/s', stringify),
    row(`converter XML output (${bytes} B per domain)`, convert * bytes, 'bytes/s', encodeOnly * bytes),
  ];
};
export default bench;
