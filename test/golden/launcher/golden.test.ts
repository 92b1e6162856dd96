// Golden tests of the converter: every <case>/ holds vmi.yaml (a manifest as a user writes it),
// context.json (the host facts, over testContext()'s defaults) and domain.xml (the expected
// libvirt XML). The manifest goes through the real admission defaults, then the converter and the
// codec; the XML must equal domain.xml, pass libvirt's own schema check (virt-xml-validate) and
// decode back to the same model. Regenerate with `npx vitest run -u test/golden` and review the diff.
// libvirt.integration.test.ts also defines every one of them in a real libvirtd.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { convertVmiToDomain } from '../../../launcher/converter/index.js';
import { decodeDomain, encodeDomain } from '../../../launcher/domain/xml.js';
import { GOLDEN_CASES as CASES, admittedVmi, goldenContext as context, goldenDomainFile } from './cases.js';
import { IN_CI, haveTools } from '../../fixtures/host.js';

const run = promisify(execFile);

/** virt-xml-validate is a shell script around xmllint: both must be there. */
const VALIDATOR = haveTools(['xmllint', 'virt-xml-validate']);

describe('golden domains', () => {
  it('has the cases the converter promises to cover', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(16);
  });

  describe.each(CASES)('%s', (name) => {
    const file = goldenDomainFile(name);

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
