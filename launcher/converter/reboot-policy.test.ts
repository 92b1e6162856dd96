import { describe, expect, it } from 'vitest';
import { newVmi, withDomain } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureRebootPolicy } from './reboot-policy.js';

describe('configureRebootPolicy', () => {
  it.each([
    [undefined, undefined],
    ['Terminate', 'destroy'],
    ['Reboot', 'restart'],
  ])('rebootPolicy %s → on_reboot %s', (rebootPolicy, onReboot) => {
    const vmi = newVmi(withDomain(rebootPolicy === undefined ? {} : { rebootPolicy }));
    expect(configureRebootPolicy(vmi, testContext(), emptyDomain()).onReboot).toBe(onReboot);
  });

  it('refuses an unknown policy', () => {
    expect(() => configureRebootPolicy(newVmi(withDomain({ rebootPolicy: 'Explode' })), testContext(), emptyDomain())).toThrow('spec.domain.rebootPolicy: "Explode" is not supported');
  });
});
