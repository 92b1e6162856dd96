// The converter's golden cases, shared by the golden test (XML, schema, round trip) and the
// libvirt integration test (each golden domain defined in a real libvirtd). Every <case>/ holds
// vmi.yaml (a manifest as a user writes it), context.json (the host facts, over testContext()'s
// defaults) and domain.xml (the expected libvirt XML).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { parseKubeYamlDocuments } from '../../../core/yaml.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import type { ConverterContext } from '../../../launcher/converter/context.js';
import { applyVmiDefaults } from '../../../webhooks/mutate/vmi-defaults.js';
import { testContext } from '../../builders/context.js';
import { TEST_FIRMWARE_UUID, TEST_UID } from '../../builders/vmi.js';

/** The folder holding one sub-folder per case. */
export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));

/** The case names (the sub-folders), sorted. */
export const GOLDEN_CASES: readonly string[] = readdirSync(GOLDEN_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** The case's VMI as the API server stores it: uid assigned, admission defaults applied. */
export function admittedVmi(name: string): VirtualMachineInstance {
  const [doc] = parseKubeYamlDocuments(readFileSync(join(GOLDEN_DIR, name, 'vmi.yaml'), 'utf8'));
  const vmi = doc?.toJS() as VirtualMachineInstance;
  vmi.metadata = { uid: TEST_UID, ...vmi.metadata };
  return applyVmiDefaults(vmi, DEFAULT_CLUSTER_CONFIG, { firmwareUuid: TEST_FIRMWARE_UUID });
}

/** The case's host facts: context.json over testContext(), then `overrides` (what a test changes). */
export function goldenContext(name: string, overrides: Partial<ConverterContext> = {}): ConverterContext {
  return testContext({ ...(JSON.parse(readFileSync(join(GOLDEN_DIR, name, 'context.json'), 'utf8')) as Partial<ConverterContext>), ...overrides });
}

/** The case's expected domain XML file. */
export function goldenDomainFile(name: string): string {
  return join(GOLDEN_DIR, name, 'domain.xml');
}
