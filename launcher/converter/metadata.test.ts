import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import { newRawVmi, withName, withSpec } from '../../test/builders/vmi.js';
import type { VmiOption } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureMetadata } from './metadata.js';

const run = (...options: VmiOption[]) => configureMetadata(newRawVmi(...options), testContext(), emptyDomain());

describe('configureMetadata', () => {
  it.each([
    ['namespace and name joined by one underscore', [withName('testvmi', 'mynamespace')], 'mynamespace_testvmi'],
    ['the default namespace when none is given', [withName('testvmi')], 'default_testvmi'],
    ['hostile characters kept as data', [withName(`a'"<>&]]>`, `n'"<>&`)], `n'"<>&_a'"<>&]]>`],
  ])('names the domain: %s', (_what, options, name) => {
    expect(run(...options).name).toBe(name);
  });

  it.each([
    ['the default grace period', [], 30],
    ['terminationGracePeriodSeconds', [withSpec((s) => { s.terminationGracePeriodSeconds = 5; })], 5],
    ['a zero grace period', [withSpec((s) => { s.terminationGracePeriodSeconds = 0; })], 0],
  ])('records the uid and %s', (_what, options, seconds) => {
    expect(run(...options).metadata).toEqual({ kubevirt: { uid: 'f4686d2c-6e8d-4335-b8fd-81bee22f4814', graceperiod: { deletionGracePeriodSeconds: seconds } } });
  });

  it.each([
    ['metadata.name', withName(''), /is required/],
    ['metadata.name', withName('a/b'), /contains "\/"/],
    ['metadata.namespace', withName('ok', 'ns\nx'), /U\+000A/],
  ])('refuses a bad %s', (field, option, message) => {
    const attempt = () => run(option);
    expect(attempt).toThrow(ConversionError);
    expect(attempt).toThrow(message);
    try { attempt(); } catch (e) { expect((e as ConversionError).field).toBe(field); }
  });
});
