/**
 * Input devices: each `devices.inputs[]` as a tablet on USB (the default) or virtio, with its
 * user alias. Only tablets are supported, as in KubeVirt.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/compute/input_device.go
 */
import { ConversionError } from '../../core/errors.js';
import type { Input as VmiInput } from '../../crd-gen/index.js';
import type { Input } from '../domain/schema.js';
import type { Configurator } from './configurator.js';
import { oneOf, userAlias } from './values.js';

const BUSES = ['usb', 'virtio'] as const;

function convertInput(input: VmiInput, index: number): Input {
  const field = `spec.domain.devices.inputs[${index}]`;
  if (input.type !== 'tablet') throw new ConversionError(`${field}.type`, `${JSON.stringify(input.type)} is not supported; only tablet is`);
  const bus = oneOf(`${field}.bus`, input.bus || 'usb', BUSES);
  return { type: 'tablet', bus, ...(bus === 'virtio' ? { model: 'virtio' } : {}), alias: userAlias(`${field}.name`, input.name) };
}

/** Sets `<input>` for every VMI input. */
export const configureInputs: Configurator = (vmi, _ctx, domain) => {
  const inputs = vmi.spec.domain.devices.inputs ?? [];
  return { ...domain, devices: { ...domain.devices, inputs: inputs.map(convertInput) } };
};
