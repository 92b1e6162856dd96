import { describe, expect, it } from 'vitest';
import { firmwareUuidFor, uuidV5 } from './uuid.js';

describe('uuidV5', () => {
  it('matches RFC 4122 test vectors (python uuid.uuid5)', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('derives firmware UUIDs from the VM name alone, stably', () => {
    expect(firmwareUuidFor('testvm')).toBe(firmwareUuidFor('testvm'));
    expect(firmwareUuidFor('testvm')).not.toBe(firmwareUuidFor('testvm2'));
    expect(firmwareUuidFor('testvm')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a malformed namespace', () => {
    expect(() => uuidV5('x', 'nope')).toThrow(/not a UUID/);
  });
});
