/**
 * A converter context for tests: an x86_64 KVM host with stable paths; override what a test is
 * about.
 */
import { DEFAULT_SMBIOS, type ConverterContext, type VolumeSource } from '../../launcher/converter/context.js';

/** The run directory of the test VMI on the test host. */
export const TEST_RUN_DIR = '/var/lib/kvt/run/f4686d2c-6e8d-4335-b8fd-81bee22f4814';

/** Debian's OVMF files (the 4M builds). */
export const TEST_EFI = {
  code: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  vars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
  secureBootCode: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
  secureBootVars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
} as const;

/** A context with the given fields replaced. */
export function testContext(overrides: Partial<ConverterContext> = {}): ConverterContext {
  return {
    architecture: 'x86_64',
    kvmUsable: true,
    allowEmulation: false,
    volumes: {},
    serialSocketPath: `${TEST_RUN_DIR}/serial0`,
    serialLogPath: `${TEST_RUN_DIR}/serial0.log`,
    vncSocketPath: `${TEST_RUN_DIR}/vnc`,
    smbios: DEFAULT_SMBIOS,
    networkMode: 'tap',
    memBalloonStatsPeriod: 10,
    freePageReporting: true,
    serialConsoleLogDefault: true,
    ...overrides,
  };
}

/** A raw file source under the test run directory. */
export function rawFile(name: string): VolumeSource {
  return { type: 'file', path: `${TEST_RUN_DIR}/disks/${name}.img`, format: 'raw' };
}
