import { describe, expect, it } from 'vitest';
import { IsoError, isoArguments } from './iso.js';

describe('isoArguments', () => {
  it('passes names as separate arguments, never through a shell', () => {
    expect(isoArguments({ output: '/v/cloud-init/noCloud.iso', volumeId: 'cidata', contentDir: '/v/staging/ci' })).toEqual([
      '-quiet', '-input-charset', 'utf-8', '-output', '/v/cloud-init/noCloud.iso', '-volid', 'cidata', '-joliet', '-joliet-long', '-rock', '/v/staging/ci',
    ]);
    const hostile = isoArguments({ output: '/v/x.iso', volumeId: "a'; rm -rf / #", contentDir: '/v/s' });
    expect(hostile[hostile.indexOf('-volid') + 1]).toBe("a'; rm -rf / #");
  });

  it.each([
    [{ output: '/v/x.iso', volumeId: '', contentDir: '/v/s' }, 'volume id'],
    [{ output: '/v/x.iso', volumeId: 'x'.repeat(33), contentDir: '/v/s' }, 'volume id'],
    [{ output: 'x.iso', volumeId: 'cidata', contentDir: '/v/s' }, 'absolute'],
    [{ output: '/v/x.iso', volumeId: 'cidata', contentDir: '-rf' }, 'absolute'],
  ])('refuses %j', (spec, message) => {
    expect(() => isoArguments(spec)).toThrow(IsoError);
    expect(() => isoArguments(spec)).toThrow(message);
  });
});
