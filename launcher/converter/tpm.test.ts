import { describe, expect, it } from 'vitest';
import type { Devices } from '../../crd-gen/index.js';
import { newVmi, withDevices } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureTpm } from './tpm.js';

const TIS = { model: 'tpm-tis', backend: { type: 'emulator', version: '2.0' } };
const CRB_PERSISTENT = { model: 'tpm-crb', backend: { type: 'emulator', version: '2.0', persistentState: 'yes' } };

describe('configureTpm', () => {
  it.each<[string, Partial<Devices>, unknown[]]>([
    ['no TPM without devices.tpm', {}, []],
    ['an emulated tpm-tis for tpm: {}', { tpm: {} }, [TIS]],
    ['an emulated tpm-tis for enabled: true', { tpm: { enabled: true } }, [TIS]],
    ['tpm-tis, no persistent state, for persistent: false', { tpm: { persistent: false } }, [TIS]],
    ['tpm-crb with persistent_state="yes" for persistent: true', { tpm: { persistent: true } }, [CRB_PERSISTENT]],
    ['none for enabled: false', { tpm: { enabled: false } }, []],
    ['none for enabled: false, even when persistent', { tpm: { enabled: false, persistent: true } }, []],
  ])('%s', (_what, devices, tpms) => {
    expect(configureTpm(newVmi(withDevices(devices)), testContext(), emptyDomain()).devices.tpms).toEqual(tpms);
  });

  it('leaves the rest of the domain as it was', () => {
    const domain = emptyDomain();
    expect(configureTpm(newVmi(withDevices({})), testContext(), domain)).toBe(domain);
    expect(configureTpm(newVmi(withDevices({ tpm: {} })), testContext(), domain)).toEqual({ ...domain, devices: { ...domain.devices, tpms: [TIS] } });
  });
});
