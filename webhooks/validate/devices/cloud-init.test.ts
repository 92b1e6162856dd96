import { describe, expect, it } from 'vitest';
import type { CloudInitNoCloudSource } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { base64Problem } from './cloud-init.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';
import { validateVolumes } from './volumes.js';

const NC = 'spec.volumes[0].cloudInitNoCloud';
const CD = 'spec.volumes[0].cloudInitConfigDrive';
const noCloud = (source: CloudInitNoCloudSource) => specWith({}, { volumes: [{ name: 'ci', cloudInitNoCloud: source }] });
const configDrive = (source: CloudInitNoCloudSource) => specWith({}, { volumes: [{ name: 'ci', cloudInitConfigDrive: source }] });
const b64 = (text: string) => Buffer.from(text).toString('base64');

const denied: readonly DeniedCase[] = [
  { id: 'B48', title: 'user data that is not base64', spec: noCloud({ userDataBase64: 'not base64!' }), field: `${NC}.userDataBase64`, type: CauseType.Invalid, value: '" "' },
  { id: 'B48', title: 'unpadded base64 user data', spec: noCloud({ userDataBase64: 'YWJj ZA'.replace(' ', '') }), field: `${NC}.userDataBase64`, type: CauseType.Invalid, value: 'length 6' },
  { id: 'B49', title: 'userData and userDataBase64 both set', spec: noCloud({ userData: '#cloud-config', userDataBase64: b64('#cloud-config') }), field: NC, type: CauseType.Invalid, value: '2 userdata sources' },
  { id: 'B49', title: 'userData and a named secretRef', spec: configDrive({ userData: '#cloud-config', secretRef: { name: 's' } }), field: CD, type: CauseType.Invalid, value: '2 userdata sources' },
  { id: 'B50', title: '2049 bytes of inline user data', spec: noCloud({ userData: 'x'.repeat(2049) }), field: NC, type: CauseType.Invalid, value: '2049 bytes' },
  { id: 'B50', title: '2049 decoded bytes of base64 user data', spec: noCloud({ userDataBase64: b64('y'.repeat(2049)) }), field: NC, type: CauseType.Invalid, value: '2049 bytes' },
  { id: 'B51', title: 'network data that is not base64', spec: noCloud({ userData: 'u', networkDataBase64: 'ab=c' }), field: `${NC}.networkDataBase64`, type: CauseType.Invalid, value: 'padding' },
  { id: 'B52', title: 'networkData and networkDataBase64 both set', spec: noCloud({ networkData: 'version: 2', networkDataBase64: b64('version: 2') }), field: NC, type: CauseType.Invalid, value: '2 networkdata sources' },
  { id: 'B53', title: '2049 bytes of inline network data', spec: configDrive({ networkData: 'n'.repeat(2049) }), field: CD, type: CauseType.Invalid, value: '2049 bytes' },
  { id: 'B54', title: 'an empty cloudInitNoCloud', spec: noCloud({}), field: NC, type: CauseType.Invalid, value: 'at least one' },
  { id: 'B54', title: 'only a secretRef without a name', spec: configDrive({ secretRef: {} }), field: CD, type: CauseType.Invalid, value: 'at least one' },
];

describe('cloud-init rules in validateVolumes', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateVolumes, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it.each([
    ['B48/B50', 'exactly 2048 decoded bytes of base64 user data, with line breaks', noCloud({ userDataBase64: b64('z'.repeat(2048)).replace(/(.{76})/g, '$1\n') })],
    ['B49', 'one user-data source with an empty secretRef name beside it', noCloud({ userData: '#!/bin/sh', secretRef: { name: '' } })],
    ['B50', 'a large user data Secret', noCloud({ secretRef: { name: 'big-userdata' } })],
    ['B50', 'plain user data wins the size over base64 when both are set (2048 bytes)', noCloud({ userData: 'u'.repeat(2048) })],
    ['B51-B53', 'user data and network data, one source each', configDrive({ userData: '#cloud-config', networkDataBase64: b64('version: 2') })],
    ['B54', 'network data only', noCloud({ networkDataSecretRef: { name: 'net' } })],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateVolumes, { spec })).toEqual([]);
  });

  it('B49 and B50 both report plain and base64 user data, plain data deciding the size', () => {
    const causes = causesOf(validateVolumes, { spec: noCloud({ userData: 'p'.repeat(3000), userDataBase64: b64('short') }) });
    expect(causes.map((c) => c.message)).toEqual([expect.stringContaining('2 userdata sources'), expect.stringContaining('3000 bytes')]);
  });

  it('a NoCloud source is checked rather than a ConfigDrive one on the same volume', () => {
    const spec = specWith({}, { volumes: [{ name: 'ci', cloudInitNoCloud: { userData: 'u' }, cloudInitConfigDrive: {} }] });
    expect(causesOf(validateVolumes, { spec }).map((c) => c.field)).toEqual(['spec.volumes[0]']);
  });

  it.each([
    ['YWJj', undefined],
    ['YWI=', undefined],
    ['YQ==', undefined],
    ['YQ=', 'its length 3 is not a multiple of 4 (standard base64 is padded)'],
    ['YW-j', 'the character "-" at offset 2 is outside the standard base64 alphabet'],
    ['Y===', 'its "=" padding is misplaced'],
  ])('base64Problem(%j) is %j', (text, problem) => {
    expect(base64Problem(text)).toBe(problem);
  });
});
