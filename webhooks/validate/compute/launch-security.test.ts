// Rules A64 and A73–A80 of shared/design/kubevirt/rules-compute.md: launch security. kubevirt-ts
// refuses launch security itself (AX04, see unsupported.test.ts), which stands in for the feature
// gate causes A73 and A75; the structural rules still report.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { EFI, LaunchSecurity, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDomain, withInterface, withSpec, type VmiOption } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateLaunchSecurity } from './launch-security.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateLaunchSecurity(vmi.spec, path('spec'), ctx(vmi));
const ls = (launchSecurity: LaunchSecurity, efi?: EFI, ...more: VmiOption[]) => newVmi(
  withDomain({ launchSecurity, ...(efi ? { firmware: { bootloader: { efi } } } : {}) }), ...more,
);
const noSecureBoot = { secureBoot: false };
const F = 'spec.domain.launchSecurity';

const DENIED = [
  { id: 'A64', what: 'launch security on arm64', vmi: ls({ sev: {} }, noSecureBoot, withSpec((s) => { s.architecture = 'arm64'; })), field: 'spec.architecture', type: CauseType.Invalid, names: '"arm64"' },
  { id: 'A74', what: 'two launch security types', vmi: ls({ sev: {}, tdx: {} }, noSecureBoot), field: F, type: CauseType.Forbidden, names: 'SEV, TDX' },
  { id: 'A74', what: 'no launch security type', vmi: ls({}, noSecureBoot), field: F, type: CauseType.Forbidden, names: 'none' },
  { id: 'A76', what: 'TDX with SMM', vmi: ls({ tdx: {} }, noSecureBoot, withDomain({ features: { smm: {} } })), field: F, type: CauseType.Invalid, names: 'TDX does not work along with SMM' },
  { id: 'A77', what: 'SEV without UEFI', vmi: ls({ sev: {} }), field: F, type: CauseType.Invalid, names: 'SEV requires OVMF' },
  { id: 'A78', what: 'SNP with secure boot (by default)', vmi: ls({ snp: {} }, {}), field: F, type: CauseType.Invalid, names: 'SNP does not work along with SecureBoot' },
  { id: 'A78', what: 'TDX with persistent EFI variables', vmi: ls({ tdx: {} }, { secureBoot: false, persistent: true }), field: F, type: CauseType.Invalid, names: 'TDX does not work along with persistent EFI' },
  { id: 'A79', what: 'SEV attestation without a paused start', vmi: ls({ sev: { attestation: {} } }, noSecureBoot), field: F, type: CauseType.Invalid, names: '"Paused"' },
  { id: 'A80', what: 'SEV with a bootable NIC', vmi: ls({ sev: {} }, noSecureBoot, withInterface({ name: 'net0', bridge: {}, bootOrder: 1 }, { pod: {} })), field: F, type: CauseType.Invalid, names: '"net0"' },
];

const ADMITTED = [
  { id: 'A64', what: 'no launch security', vmi: newVmi() },
  { id: 'A73', what: 's390x launch security without the SecureExecution gate (refused as not supported instead)', vmi: ls({ sev: {} }, undefined, withSpec((s) => { s.architecture = 's390x'; })) },
  { id: 'A75', what: 'SEV under UEFI without secure boot, gate or not (refused as not supported instead)', vmi: ls({ sev: {} }, noSecureBoot) },
  { id: 'A78', what: 'SEV with persistent EFI variables (only SNP and TDX refuse them)', vmi: ls({ sev: {} }, { secureBoot: false, persistent: true }) },
  { id: 'A79', what: 'SEV attestation with a paused start', vmi: ls({ sev: { attestation: {} } }, noSecureBoot, withSpec((s) => { s.startStrategy = 'Paused'; })) },
];

describe('validateLaunchSecurity', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, type, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });

  it('A74 stops there: nothing else is checked for an ambiguous type', () => {
    expect(run(ls({ sev: {}, snp: {} }))).toHaveLength(1);
  });
});
