// Instancetype and preference admission (shared/design/kubevirt/rules-other-kinds.md C56–C60).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import type { VirtualMachineClusterPreference, VirtualMachineInstancetype, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { CauseType } from '../cause.js';
import { NO_LOOKUPS, type AdmissionContext } from '../context.js';
import { preferenceWarnings, validateInstancetype, validatePreference } from './instancetype.js';

const CTX: AdmissionContext = { cfg: DEFAULT_CLUSTER_CONFIG, lookups: NO_LOOKUPS, ids: { uuid: () => 'u' }, now: new Date(0) };

const instancetype = (memory: VirtualMachineInstancetype['spec']['memory']): VirtualMachineInstancetype => ({
  apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'it', namespace: 'ns' }, spec: { cpu: { guest: 2 }, memory },
});
const preference = (spec: VirtualMachinePreferenceSpec): VirtualMachineClusterPreference => ({
  apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: 'p' }, spec,
});

describe('validateInstancetype', () => {
  it.each([
    ['C56 a negative overcommitPercent', { guest: '1Gi', overcommitPercent: -1 }, [/'-1': must be in range between 0 and 100/]],
    ['C56 an overcommitPercent above 100', { guest: '1Gi', overcommitPercent: 150 }, [/'150': must be in range between 0 and 100/]],
    ['C57 overcommitPercent with hugepages', { guest: '1Gi', overcommitPercent: 10, hugepages: { pageSize: '2Mi' } }, [/\(10\) and spec.memory.hugepages must not be requested together/]],
    ['C56+C57 reported together', { guest: '1Gi', overcommitPercent: 101, hugepages: { pageSize: '2Mi' } }, [/'101'/, /hugepages/]],
  ])('%s is denied on spec.memory.overcommitPercent', (_n, memory, messages) => {
    const causes = validateInstancetype(instancetype(memory), undefined, CTX);
    expect(causes.map((c) => [c.type, c.field])).toEqual(messages.map(() => [CauseType.Invalid, 'spec.memory.overcommitPercent']));
    messages.forEach((m, i) => expect(causes[i]!.message).toMatch(m));
  });

  it.each([
    ['C56 admitted: 0 and 100 are in range', { guest: '1Gi', overcommitPercent: 100 }],
    ['C57 admitted: hugepages without overcommit', { guest: '1Gi', overcommitPercent: 0, hugepages: { pageSize: '1Gi' } }],
  ])('%s', (_n, memory) => {
    expect(validateInstancetype(instancetype(memory), undefined, CTX)).toEqual([]);
  });
});

describe('validatePreference', () => {
  it.each([
    ['C58 an unknown topology', { cpu: { preferredCPUTopology: 'diagonal' as never } }, 'spec.cpu.preferredCPUTopology', /unknown preferredCPUTopology "diagonal"/],
    ['C59 spread across unsupported dimensions', { cpu: { preferredCPUTopology: 'spread' as const, spreadOptions: { across: 'SocketsThreads' } } }, 'spec.cpu.spreadOptions.across', /across "SocketsThreads" is not supported/],
    ['C59 preferSpread across unsupported dimensions', { cpu: { preferredCPUTopology: 'preferSpread' as const, spreadOptions: { across: 'Threads' } } }, 'spec.cpu.spreadOptions.across', /"Threads"/],
    ['C60 CoresThreads with ratio 4', { cpu: { preferredCPUTopology: 'spread' as const, spreadOptions: { across: 'CoresThreads', ratio: 4 } } }, 'spec.cpu.spreadOptions.ratio', /ratio 4 is not allowed/],
    ['C60 CoresThreads with the legacy ratio 3', { preferSpreadSocketToCoreRatio: 3, cpu: { preferredCPUTopology: 'spread' as const, spreadOptions: { across: 'CoresThreads' } } }, 'spec.cpu.spreadOptions.ratio', /ratio 3/],
  ])('%s is denied', (_n, spec, field, message) => {
    const causes = validatePreference(preference(spec), undefined, CTX);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ type: CauseType.Invalid, field });
    expect(causes[0]!.message).toMatch(message);
  });

  it.each([
    ['C58 admitted: no topology', {}],
    ['C58 admitted: a deprecated topology', { cpu: { preferredCPUTopology: 'preferCores' as const } }],
    ['C59 admitted: across is not checked without spread', { cpu: { preferredCPUTopology: 'cores' as const, spreadOptions: { across: 'Nonsense' } } }],
    ['C59 admitted: spread with the default SocketsCores', { cpu: { preferredCPUTopology: 'spread' as const, spreadOptions: { ratio: 4 } } }],
    ['C60 admitted: CoresThreads with ratio 2', { cpu: { preferredCPUTopology: 'spread' as const, spreadOptions: { across: 'CoresThreads', ratio: 2 } } }],
  ])('%s', (_n, spec) => {
    expect(validatePreference(preference(spec), undefined, CTX)).toEqual([]);
  });

  it('warns about a deprecated topology, naming its replacement', () => {
    expect(preferenceWarnings(preference({ cpu: { preferredCPUTopology: 'preferSpread' } }))).toEqual([
      'PreferredCPUTopology preferSpread is deprecated for removal in a future release, please use spread instead',
    ]);
    expect(preferenceWarnings(preference({ cpu: { preferredCPUTopology: 'spread' } }))).toEqual([]);
  });
});
