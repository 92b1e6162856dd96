/**
 * Schema validations/s of our validator (compiled CRD schema, k8s vocabulary, field-path causes,
 * unknown-field walk) for a typical VMI and a 13-disk VMI, against a plain ajv compile of the same
 * schema that only answers valid or not.
 */
import { Ajv } from 'ajv';
import { createSchemaValidator, loadSchema } from '../crd-gen/index.js';
import { rate, row, type Benchmark } from './harness.js';

const disk = (i: number): object => ({ name: `disk${i}`, disk: { bus: i % 2 === 0 ? 'virtio' : 'sata' }, cache: 'none', serial: `SER${i}` });
const vmi = (disks: number): object => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstance',
  metadata: { name: 'bench', namespace: 'default', labels: { app: 'bench' } },
  spec: {
    domain: {
      cpu: { cores: 2 },
      memory: { guest: '1Gi' },
      resources: { requests: { memory: '1Gi', cpu: '500m' } },
      devices: { disks: Array.from({ length: disks }, (_, i) => disk(i)), interfaces: [{ name: 'default', masquerade: {} }] },
    },
    networks: [{ name: 'default', pod: {} }],
    volumes: Array.from({ length: disks }, (_, i) => ({ name: `disk${i}`, containerDisk: { image: `registry.example/img:${i}` } })),
  },
});

const bench: Benchmark = async () => {
  const schema = loadSchema('VirtualMachineInstance');
  const ours = createSchemaValidator(loadSchema);
  const plain = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  const rows = [];
  for (const [label, object] of [['typical VMI', vmi(2)], ['13-disk VMI', vmi(13)]] as const) {
    if (ours.validate('VirtualMachineInstance', object).errors.length > 0 || !plain(object)) throw new Error(`bench object (${label}) is invalid`);
    const baseline = rate(() => plain(object));
    const value = rate(() => ours.validate('VirtualMachineInstance', object));
    rows.push(row(`schema validation, ${label}`, value, 'validations/s', baseline));
  }
  return rows;
};
export default bench;
