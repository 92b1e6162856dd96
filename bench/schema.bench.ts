/**
 * Schema validation: our validator (the CRD's schema compiled with the unknown-field check folded in,
 * the k8s vocabulary and formats, field-path causes, unknown fields as warnings) against a plain ajv
 * compile of the same schema that only answers valid or not. Target (issue 21): ≥ 0.8×.
 *
 * Inputs are manifests in the repo: a typical VMI (a container disk and a cloud-init seed) and the
 * 13-disk VMI of KubeVirt's converter test, both valid with no unknown fields (the common case), and
 * the typical VMI with one field the schema does not know, which takes the slow path (the walk that
 * names the field). Each row measures ours and plain ajv interleaved (ours, plain, ours, …, each for
 * PAIR_MS): the median rates, the median pair ratio with its range, and the load average, since the
 * machine is shared.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { createSchemaValidator, loadSchema } from '../crd-gen/crds.js';
import { interleave, pairedRow, rate, type Benchmark, type BenchRow } from './harness.js';

/** Interleaved pairs per row, and how long each side of a pair runs. */
const PAIRS = 15;
const PAIR_MS = 150;
const TYPICAL = 'test/golden/launcher/containerdisk-cloudinit/vmi.yaml';
const THIRTEEN_DISKS = 'test/golden/launcher/thirteen-disks/vmi.yaml';
/** The field added for the slow-path row: a disk size, which KubeVirt's Disk does not have. */
const UNKNOWN_FIELD = 'spec.domain.devices.disks[0].sizeGb';

function manifest(path: string): Record<string, unknown> {
  return parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** The typical VMI with UNKNOWN_FIELD set. */
function withUnknownField(vmi: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(vmi) as { spec: { domain: { devices: { disks: Record<string, unknown>[] } } } };
  const disk = copy.spec.domain.devices.disks[0];
  if (disk === undefined) throw new Error(`${TYPICAL} has no disk to add ${UNKNOWN_FIELD} to`);
  disk['sizeGb'] = 10;
  return copy;
}

const bench: Benchmark = async () => {
  const schema = loadSchema('VirtualMachineInstance');
  const ours = createSchemaValidator(loadSchema);
  const plain = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  const typical = manifest(TYPICAL);
  const cases = [
    { label: `typical VMI (${TYPICAL})`, object: typical, warnings: [] as string[] },
    { label: `13-disk VMI (${THIRTEEN_DISKS})`, object: manifest(THIRTEEN_DISKS), warnings: [] },
    { label: `typical VMI + 1 unknown field (${UNKNOWN_FIELD}), the slow path`, object: withUnknownField(typical), warnings: [UNKNOWN_FIELD] },
  ];
  const rows: BenchRow[] = [];
  for (const { label, object, warnings } of cases) {
    // Each input must be what its row says: valid for both, with exactly the unknown fields named.
    const check = ours.validate('VirtualMachineInstance', object);
    const got = check.warnings.map((w) => w.field);
    if (check.errors.length > 0 || !plain(object) || JSON.stringify(got) !== JSON.stringify(warnings)) {
      throw new Error(`bench input ${label}: errors ${JSON.stringify(check.errors)}, unknown fields ${JSON.stringify(got)}, expected ${JSON.stringify(warnings)}`);
    }
    const m = await interleave(PAIRS, () => rate(() => ours.validate('VirtualMachineInstance', object), PAIR_MS), () => rate(() => plain(object), PAIR_MS));
    rows.push(pairedRow(`schema validation ÷ plain ajv: ${label}`, m, 'validations/s', '>= 0.8x'));
  }
  return rows;
};
export default bench;
