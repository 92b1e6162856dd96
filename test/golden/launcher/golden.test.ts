// Golden tests of the converter: every <case>/ holds vmi.yaml (a manifest as a user writes it),
// context.json (the host facts, over testContext()'s defaults) and domain.xml (the expected
// libvirt XML). The manifest goes through the real admission defaults, then the converter and the
// codec; the XML must equal domain.xml, pass libvirt's own schema check (virt-xml-validate) and
// decode back to the same model. Regenerate with `npx vitest run -u test/golden` and review the diff.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { parseKubeYamlDocuments } from '../../../core/yaml.js';
import type { VirtualMachineInstance } from '../../../crd-gen/index.js';
import type { ConverterContext } from '../../../launcher/converter/context.js';
import { convertVmiToDomain } from '../../../launcher/converter/index.js';
import { decodeDomain, encodeDomain } from '../../../launcher/domain/xml.js';
import { applyVmiDefaults } from '../../../webhooks/mutate/vmi-defaults.js';
import { testContext } from '../../builders/context.js';
import { TEST_FIRMWARE_UUID, TEST_UID } from '../../builders/vmi.js';

const run = promisify(execFile);
const DIR = dirname(fileURLToPath(import.meta.url));
const CASES = readdirSync(DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const IN_CI = ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());

/** virt-xml-validate is a shell script around xmllint: both must be there. */
function validatorPresent(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    execFileSync('sh', ['-c', 'command -v virt-xml-validate'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const VALIDATOR = validatorPresent();

/** The case's VMI as the API server stores it: uid assigned, admission defaults applied. */
function admittedVmi(name: string): VirtualMachineInstance {
  const [doc] = parseKubeYamlDocuments(readFileSync(join(DIR, name, 'vmi.yaml'), 'utf8'));
  const vmi = doc?.toJS() as VirtualMachineInstance;
  vmi.metadata = { uid: TEST_UID, ...vmi.metadata };
  return applyVmiDefaults(vmi, DEFAULT_CLUSTER_CONFIG, { firmwareUuid: TEST_FIRMWARE_UUID });
}

function context(name: string): ConverterContext {
  return testContext(JSON.parse(readFileSync(join(DIR, name, 'context.json'), 'utf8')) as Partial<ConverterContext>);
}

describe('golden domains', () => {
  it('has the cases the converter promises to cover', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(16);
  });

  describe.each(CASES)('%s', (name) => {
    const file = join(DIR, name, 'domain.xml');

    it('converts to domain.xml', async () => {
      await expect(encodeDomain(convertVmiToDomain(admittedVmi(name), context(name)))).toMatchFileSnapshot(file);
    });

    it('decodes back to the same domain', () => {
      const domain = convertVmiToDomain(admittedVmi(name), context(name));
      expect(decodeDomain(encodeDomain(domain))).toEqual(domain);
    });

    it.skipIf(!VALIDATOR && !IN_CI)('passes virt-xml-validate', async () => {
      if (!VALIDATOR) throw new Error('virt-xml-validate and xmllint are required in CI (Debian libvirt-clients and libxml2-utils)');
      // A non-zero exit rejects; xmllint reports "<file> validates" on stderr.
      const { stdout, stderr } = await run('virt-xml-validate', [file, 'domain']);
      expect(`${stdout}${stderr}`).toContain(`${file} validates`);
    });
  });
});
