import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../core/errors.js';
import { isEnabled, pciAddress, userAlias, xmlText } from './values.js';

describe('xmlText', () => {
  it.each([`a'"<>&]]>`, 'émoji 🎉', ''])('keeps %j', (value) => {
    expect(xmlText('f', value)).toBe(value);
  });

  it.each([['\t', 'U+0009'], ['\n', 'U+000A'], ['\r', 'U+000D'], ['\u0000', 'U+0000'], ['\ufffe', 'U+FFFE'], ['\ud800', 'U+D800']])('refuses %j as %s', (value, code) => {
    expect(() => xmlText('spec.x', `a${value}b`)).toThrow(new ConversionError('spec.x', `contains the character ${code}, which XML cannot carry; control characters are not allowed`));
  });
});

describe('userAlias', () => {
  it.each([['disk0', 'ua-disk0'], ['a_b-c.d', 'ua-a_b-c.d']])('%s → %s', (name, alias) => {
    expect(userAlias('f', name)).toEqual({ name: alias });
  });

  it.each(['a b', 'a/b', '', `a'`])('refuses %j', (name) => {
    expect(() => userAlias('f', name)).toThrow(ConversionError);
  });
});

describe('isEnabled', () => {
  it.each([[undefined, false], [{}, true], [{ enabled: true }, true], [{ enabled: false }, false]])('%j → %s', (f, on) => {
    expect(isEnabled(f)).toBe(on);
  });
});

describe('pciAddress', () => {
  it('splits DDDD:BB:SS.F into hex attributes', () => {
    expect(pciAddress('f', '0000:81:1f.7')).toEqual({ type: 'pci', domain: '0x0000', bus: '0x81', slot: '0x1f', function: '0x7' });
  });

  it.each(['0000:81:01', '81:01.0', '0000:81:01.8', 'zzzz:00:00.0'])('refuses %j', (text) => {
    expect(() => pciAddress('f', text)).toThrow('is not a PCI address');
  });
});
