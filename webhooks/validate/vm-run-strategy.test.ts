// VM run strategy (shared/design/kubevirt/rules-other-kinds.md C29–C32) and the template's hotplug
// limits under LiveUpdate (C33, C34), through validateVm.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import type { DomainSpec, VirtualMachine, VirtualMachineInstanceSpec } from '../../crd-gen/index.js';
import { CauseType, type Cause } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { liveUpdateCauses } from './vm-live-update.js';
import { effectiveRunStrategy } from './vm-run-strategy.js';
import { validateVm } from './vm.js';

const ctx = (cfg: Partial<ClusterConfig> = {}): AdmissionContext => ({ cfg: { ...DEFAULT_CLUSTER_CONFIG, ...cfg }, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) });

function vm(spec: Partial<VirtualMachine['spec']>, domain: Partial<DomainSpec> = {}): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'ns' },
    spec: {
      template: {
        spec: {
          domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] }, resources: { requests: { memory: '1Gi' } }, ...domain },
          volumes: [{ name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }],
        },
      },
      ...spec,
    },
  };
}

const at = (causes: readonly Cause[], prefix: string): Cause[] => causes.filter((c) => c.field === prefix);

describe('validateVm: run strategy', () => {
  it.each([
    ['C29 running and runStrategy together', { running: true, runStrategy: 'Always' as const }, 'spec.running', /running \(true\) and runStrategy \(Always\) are mutually exclusive/],
    ['C30 neither running nor runStrategy', {}, 'spec.running', /one of running or runStrategy must be given/],
    ['C31 WaitAsReceiver without the gate', { runStrategy: 'WaitAsReceiver' as const }, 'spec.runStrategy', /invalid runStrategy \(WaitAsReceiver\): the DecentralizedLiveMigration feature gate is not enabled/],
    ['C32 an unknown strategy', { runStrategy: 'Sometimes' as never }, 'spec.runStrategy', /invalid runStrategy \(Sometimes\); valid values are Halted, Manual, Always, RerunOnFailure, Once/],
    ['C32 the match is case-sensitive', { runStrategy: 'always' as never }, 'spec.runStrategy', /invalid runStrategy \(always\)/],
  ])('%s is denied', (_n, spec, field, message) => {
    const causes = at(validateVm(vm(spec), undefined, ctx()), field);
    expect(causes).toHaveLength(1);
    expect(causes[0]!.type).toBe(CauseType.Invalid);
    expect(causes[0]!.message).toMatch(message);
  });

  const admitted: readonly (readonly [string, Partial<VirtualMachine['spec']>, Partial<ClusterConfig>])[] = [
    ['C29/C30 admitted: the legacy running alone', { running: false }, {}],
    ['C31 admitted: WaitAsReceiver with the gate', { runStrategy: 'WaitAsReceiver' }, { featureGates: ['DecentralizedLiveMigration'] }],
    ...(['Halted', 'Manual', 'Always', 'RerunOnFailure', 'Once'] as const).map((s) => [`C32 admitted: ${s}`, { runStrategy: s }, {}] as const),
  ];
  it.each(admitted)('%s', (_n, spec, cfg) => {
    expect(validateVm(vm(spec), undefined, ctx(cfg))).toEqual([]);
  });

  it.each([
    [{ running: true }, 'Always'], [{ running: false }, 'Halted'], [{ runStrategy: 'Manual' as const }, 'Manual'], [{}, 'Halted'],
  ])('reads the effective strategy of %j as %s', (spec, strategy) => {
    expect(effectiveRunStrategy(spec as VirtualMachine['spec'])).toBe(strategy);
  });
});

describe('liveUpdateCauses: LiveUpdate hotplug limits', () => {
  // The spec as validateVm hands it over: expanded and defaulted (amd64 unless a row says otherwise).
  const spec = (domain: Partial<DomainSpec>, architecture = 'amd64'): VirtualMachineInstanceSpec => ({ architecture, domain: { devices: {}, ...domain } });
  const guest = 'spec.template.spec.domain.memory.guest';

  it('C33 more sockets than maxSockets is denied on cpu.sockets (next to the VMI rule A32 validateVm also runs)', () => {
    const expected = { type: CauseType.Invalid, field: 'spec.template.spec.domain.cpu.sockets', message: 'the CPU topology has 4 sockets, more than the 2 maxSockets allowed' };
    expect(liveUpdateCauses(spec({ cpu: { sockets: 4, maxSockets: 2 } }), DEFAULT_CLUSTER_CONFIG)).toEqual([expected]);
    expect(validateVm(vm({ runStrategy: 'Halted' }, { cpu: { sockets: 4, maxSockets: 2 } }), undefined, ctx())).toContainEqual(expected);
  });

  it.each([
    ['C33 admitted: within maxSockets', { cpu: { sockets: 2, maxSockets: 8 } }, {}],
    ['C33 admitted: outside LiveUpdate', { cpu: { sockets: 4, maxSockets: 2 } }, { vmRolloutStrategy: 'Stage' as const }],
    ['C34 admitted: an aligned guest within maxGuest', { memory: { guest: '2Gi', maxGuest: '8Gi' } }, {}],
    ['C34 admitted: outside LiveUpdate', { memory: { guest: '512Mi', maxGuest: '4Gi' } }, { vmRolloutStrategy: 'Stage' as const }],
    ['C34 admitted: no maxGuest', { memory: { guest: '3Mi' } }, {}],
  ])('%s', (_n, domain, cfg) => {
    expect(liveUpdateCauses(spec(domain), { ...DEFAULT_CLUSTER_CONFIG, ...cfg })).toEqual([]);
  });

  it.each([
    ['C34 realtime first, even with other problems', { cpu: { realtime: {} }, memory: { guest: '3Mi', maxGuest: '1Gi' } }, undefined, /not compatible with realtime/],
    ['C34 NUMA passthrough', { cpu: { numa: { guestMappingPassthrough: {} } }, memory: { guest: '2Gi', maxGuest: '4Gi' } }, undefined, /NUMA guest mapping passthrough/],
    ['C34 launch security', { launchSecurity: { sev: {} }, memory: { guest: '2Gi', maxGuest: '4Gi' } }, undefined, /encrypted VMs/],
    ['C34 guest unset', { memory: { maxGuest: '4Gi' } }, undefined, /guest memory must be set/],
    ['C34 guest above maxGuest', { memory: { guest: '4Gi', maxGuest: '2Gi' } }, undefined, /guest memory 4Gi is greater than maxGuest 2Gi/],
    ['C34 guest not 2Mi aligned', { memory: { guest: '1025Mi', maxGuest: '4Gi' } }, undefined, /guest memory 1025Mi must be 2Mi aligned/],
    ['C34 maxGuest not 1Gi aligned with 1Gi hugepages', { memory: { guest: '2Gi', maxGuest: '3000Mi', hugepages: { pageSize: '1Gi' } } }, undefined, /maxGuest 3000Mi must be 1Gi aligned/],
    ['C34 another architecture', { memory: { guest: '2Gi', maxGuest: '4Gi' } }, 'arm64', /only available for amd64 VMs, not "arm64"/],
    ['C34 guest below 1Gi', { memory: { guest: '512Mi', maxGuest: '4Gi' } }, undefined, /guest memory 512Mi is below the 1Gi/],
  ])('%s is denied on memory.guest, first problem only', (_n, domain, arch, message) => {
    const causes = liveUpdateCauses(spec(domain as Partial<DomainSpec>, arch), DEFAULT_CLUSTER_CONFIG);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ type: CauseType.Invalid, field: guest });
    expect(causes[0]!.message).toMatch(message);
  });

  it('C34 runs on the template validateVm defaults (architecture from the cluster)', () => {
    const causes = validateVm(vm({ runStrategy: 'Halted' }, { memory: { guest: '1025Mi', maxGuest: '4Gi' } }), undefined, ctx());
    expect(causes).toContainEqual({ type: CauseType.Invalid, field: guest, message: 'guest memory 1025Mi must be 2Mi aligned for memory hotplug' });
  });
});
