// KubeVirt's CPU topology end to end: admission (defaults, instancetypes) then conversion. Only a VMI
// that gives no topology at all is given sockets/cores/threads 1 and hotplug room (maxSockets =
// sockets × 4); one that sets any of cores, sockets or threads keeps the others unset, so a VMI
// with cores only has maxSockets 0 and its domain has no hotplug slots
// (shared/design/kubevirt/mutation.md §2 "CPU topology", "Hotplug maxima"; converter.md §2).
import { describe, expect, it } from 'vitest';
import { vmiFromManifests } from '../../cli/vmi-input.js';
import type { ManifestObject } from '../../core/manifests.js';
import { testContext } from '../../test/builders/context.js';
import { convertVmiToDomain } from './index.js';

type Obj = Record<string, unknown>;

function vmiManifest(domain: Obj, extra: Obj = {}): Obj {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'topo', namespace: 'default' },
    spec: { domain: { devices: {}, resources: { requests: { memory: '1Gi' } }, ...domain }, ...extra },
  };
}

const INSTANCETYPE: Obj = {
  apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'c3', namespace: 'default' },
  spec: { cpu: { guest: 3 }, memory: { guest: '1Gi' } },
};

function vmWithInstancetype(): Obj {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'topo', namespace: 'default' },
    spec: { runStrategy: 'Halted', instancetype: { kind: 'VirtualMachineInstancetype', name: 'c3' }, template: { spec: { domain: { devices: {} } } } },
  };
}

function admitAndConvert(objects: readonly Obj[]) {
  const items = objects.map((object, i): ManifestObject => ({ object, source: 'test', index: i }));
  const input = vmiFromManifests(items);
  if (!input.ok) throw new Error(input.problems.join('\n'));
  const domain = convertVmiToDomain(input.vmi, testContext());
  return { spec: input.vmi.spec.domain.cpu, status: input.vmi.status?.currentCPUTopology, domain };
}

interface Row {
  readonly what: string;
  readonly objects: readonly Obj[];
  /** The admitted VMI's topology and ceiling (undefined = not written). */
  readonly spec: { sockets?: number; cores?: number; threads?: number; maxSockets?: number };
  /** The domain's `<topology>`, `<vcpu>` and how many `<vcpus>` entries (0: no hotplug layout). */
  readonly topology: { sockets: number; cores: number; threads: number };
  readonly vcpu: number;
  readonly enabled: number;
  readonly slots: number;
}

const ROWS: readonly Row[] = [
  { what: 'no topology at all: 1/1/1 and room for 4 sockets', objects: [vmiManifest({})],
    spec: { sockets: 1, cores: 1, threads: 1, maxSockets: 4 }, topology: { sockets: 4, cores: 1, threads: 1 }, vcpu: 4, enabled: 1, slots: 4 },
  { what: 'cores only: sockets stay unset, no hotplug', objects: [vmiManifest({ cpu: { cores: 2 } })],
    spec: { cores: 2 }, topology: { sockets: 1, cores: 2, threads: 1 }, vcpu: 2, enabled: 2, slots: 0 },
  { what: 'sockets only: 4× the sockets', objects: [vmiManifest({ cpu: { sockets: 2 } })],
    spec: { sockets: 2, maxSockets: 8 }, topology: { sockets: 8, cores: 1, threads: 1 }, vcpu: 8, enabled: 2, slots: 8 },
  { what: 'threads only: no hotplug', objects: [vmiManifest({ cpu: { threads: 2 } })],
    spec: { threads: 2 }, topology: { sockets: 1, cores: 1, threads: 2 }, vcpu: 2, enabled: 2, slots: 0 },
  { what: 'all three', objects: [vmiManifest({ cpu: { sockets: 2, cores: 2, threads: 1 } })],
    spec: { sockets: 2, cores: 2, threads: 1, maxSockets: 8 }, topology: { sockets: 8, cores: 2, threads: 1 }, vcpu: 16, enabled: 4, slots: 16 },
  { what: 'an instancetype guest CPU count becomes sockets', objects: [vmWithInstancetype(), INSTANCETYPE],
    spec: { sockets: 3, cores: 1, threads: 1, maxSockets: 12 }, topology: { sockets: 12, cores: 1, threads: 1 }, vcpu: 12, enabled: 3, slots: 12 },
  { what: 'no topology, a CPU request: sockets from the request', objects: [vmiManifest({ resources: { requests: { memory: '1Gi', cpu: '2' } } })],
    spec: { sockets: 2, cores: 1, threads: 1, maxSockets: 8 }, topology: { sockets: 8, cores: 1, threads: 1 }, vcpu: 8, enabled: 2, slots: 8 },
  { what: 'no topology, a CPU limit: sockets from the limit (rounded up)', objects: [vmiManifest({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi', cpu: '1500m' } } })],
    spec: { sockets: 2, cores: 1, threads: 1, maxSockets: 8 }, topology: { sockets: 8, cores: 1, threads: 1 }, vcpu: 8, enabled: 2, slots: 8 },
];

describe('CPU topology: KubeVirt defaults, then conversion', () => {
  it.each(ROWS)('$what', (row) => {
    const { spec, status, domain } = admitAndConvert(row.objects);
    expect({ sockets: spec?.sockets, cores: spec?.cores, threads: spec?.threads, maxSockets: spec?.maxSockets }).toEqual({ sockets: undefined, cores: undefined, threads: undefined, maxSockets: undefined, ...row.spec });
    expect(status).toEqual({ sockets: spec?.sockets, cores: spec?.cores, threads: spec?.threads });
    expect(domain.cpu?.topology).toEqual(row.topology);
    expect(domain.vcpu).toEqual({ placement: 'static', value: row.vcpu });
    const layout = domain.vcpus?.vcpus ?? [];
    expect(layout).toHaveLength(row.slots);
    if (row.slots > 0) expect(layout.filter((v) => v.enabled === 'yes')).toHaveLength(row.enabled);
  });
});
