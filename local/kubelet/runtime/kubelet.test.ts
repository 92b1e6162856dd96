import { describe, expect, it } from 'vitest';
import { identityOfArgv } from './kubelet.js';

describe('identityOfArgv', () => {
  it('reads the VMI identity of a launcher pod command line', () => {
    expect(identityOfArgv(['virt-launcher', '--await-vmi', '--namespace', 'default', '--name', 'demo', '--uid', 'u-1', '--grace-period-seconds', '45'])).toEqual({ namespace: 'default', name: 'demo', uid: 'u-1' });
  });
  it('is undefined when a part is missing', () => {
    expect(identityOfArgv(['virt-launcher', '--await-vmi', '--namespace', 'default', '--name', 'demo'])).toBeUndefined();
  });
});
