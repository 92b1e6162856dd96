import { describe, expect, it } from 'vitest';
import type { AccessCredential, Volume } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { validateAccessCredentials } from './access-credentials.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const F = 'spec.accessCredentials[0].sshPublicKey.propagationMethod';
const key = (propagationMethod: NonNullable<AccessCredential['sshPublicKey']>['propagationMethod']): AccessCredential =>
  ({ sshPublicKey: { source: { secret: { secretName: 'keys' } }, propagationMethod } });
const spec = (credential: AccessCredential, volumes: Volume[] = []) => specWith({}, { accessCredentials: [credential], volumes });

const denied: readonly DeniedCase[] = [
  { id: 'B54+', title: 'a NoCloud key without a cloudInitNoCloud volume', spec: spec(key({ noCloud: {} }), [{ name: 'c', cloudInitConfigDrive: { userData: 'u' } }]), field: F, type: CauseType.Invalid, value: 'noCloud' },
  { id: 'B54+', title: 'a config drive key without a cloudInitConfigDrive volume', spec: spec(key({ configDrive: {} })), field: F, type: CauseType.Invalid, value: 'configDrive' },
];

describe('validateAccessCredentials', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateAccessCredentials, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['a NoCloud key with its volume', spec(key({ noCloud: {} }), [{ name: 'c', cloudInitNoCloud: { userData: 'u' } }])],
    ['a config drive key with its volume', spec(key({ configDrive: {} }), [{ name: 'c', cloudInitConfigDrive: { userData: 'u' } }])],
    ['a guest agent key and a password', specWith({}, { accessCredentials: [key({ qemuGuestAgent: { users: ['root'] } }), { userPassword: { source: { secret: { secretName: 'p' } }, propagationMethod: { qemuGuestAgent: {} } } }] })],
  ])('B54+ admits %s', (_title, s) => {
    expect(causesOf(validateAccessCredentials, { spec: s })).toEqual([]);
  });
});
