import { describe, expect, it } from 'vitest';
import type { Input } from '../../crd-gen/index.js';
import { newRawVmi, withDevices } from '../../test/builders/vmi.js';
import { testContext } from '../../test/builders/context.js';
import { emptyDomain } from './configurator.js';
import { configureInputs } from './inputs.js';

const inputsOf = (inputs: Input[]) => configureInputs(newRawVmi(withDevices({ inputs })), testContext(), emptyDomain()).devices.inputs;

describe('configureInputs', () => {
  it.each([
    ['none', [], []],
    ['a USB tablet', [{ name: 'tablet0', type: 'tablet', bus: 'usb' }], [{ type: 'tablet', bus: 'usb', alias: { name: 'ua-tablet0' } }]],
    ['a bus-less tablet on USB', [{ name: 't', type: 'tablet' }], [{ type: 'tablet', bus: 'usb', alias: { name: 'ua-t' } }]],
    ['a virtio tablet', [{ name: 't', type: 'tablet', bus: 'virtio' }], [{ type: 'tablet', bus: 'virtio', model: 'virtio', alias: { name: 'ua-t' } }]],
  ])('%s', (_what, inputs, expected) => {
    expect(inputsOf(inputs as Input[])).toEqual(expected);
  });

  it.each([
    [{ name: 'k', type: 'keyboard' }, 'spec.domain.devices.inputs[0].type: "keyboard" is not supported'],
    [{ name: 't', type: 'tablet', bus: 'ps2' }, 'spec.domain.devices.inputs[0].bus: "ps2" is not supported'],
  ])('refuses %j', (input, message) => {
    expect(() => inputsOf([input as Input])).toThrow(message);
  });
});
