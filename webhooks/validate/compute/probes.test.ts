// Rules A37–A39 of shared/design/kubevirt/rules-compute.md: readiness and liveness probes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import type { Probe, VirtualMachineInstance } from '../../../crd-gen/index.js';
import { newVmi, withDevices, withSpec } from '../../../test/builders/vmi.js';
import { CauseType } from '../../cause.js';
import type { SpecContext } from '../types.js';
import { validateProbes } from './probes.js';

const ctx = (vmi: VirtualMachineInstance): SpecContext => ({ cfg: DEFAULT_CLUSTER_CONFIG, metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
const run = (vmi: VirtualMachineInstance) => validateProbes(vmi.spec, path('spec'), ctx(vmi));
const probes = (readiness?: Probe, liveness?: Probe, podNetwork = true) => newVmi(
  withSpec((s) => { if (readiness) s.readinessProbe = readiness; if (liveness) s.livenessProbe = liveness; }),
  ...(podNetwork ? [] : [withDevices({ autoattachPodInterface: false })]),
);
const httpGet = { httpGet: { port: 80 } };
const tcpSocket = { tcpSocket: { port: 22 } };
const exec = { exec: { command: ['cat', '/tmp/ready'] } };

const DENIED = [
  { id: 'A37', what: 'a probe with two handlers', vmi: probes({ ...httpGet, ...tcpSocket }), field: 'spec.readinessProbe', type: CauseType.Invalid, names: 'httpGet and tcpSocket' },
  { id: 'A38', what: 'a probe without a handler', vmi: probes(undefined, { periodSeconds: 5 }), field: 'spec.livenessProbe', type: CauseType.Required, names: 'spec.livenessProbe.exec' },
  { id: 'A39', what: 'an httpGet probe without the pod network', vmi: probes(httpGet, undefined, false), field: 'spec.readinessProbe.httpGet', type: CauseType.Invalid, names: 'spec.readinessProbe.httpGet is only allowed' },
  { id: 'A39', what: 'a tcpSocket probe without the pod network', vmi: probes(undefined, tcpSocket, false), field: 'spec.livenessProbe.tcpSocket', type: CauseType.Invalid, names: 'spec.livenessProbe.tcpSocket is only allowed' },
];

const ADMITTED = [
  { id: 'A37', what: 'one handler each', vmi: probes(httpGet, tcpSocket) },
  { id: 'A38', what: 'a guest agent ping', vmi: probes({ guestAgentPing: {} }) },
  { id: 'A39', what: 'an exec probe without the pod network', vmi: probes(exec, undefined, false) },
];

describe('validateProbes', () => {
  it.each(DENIED)('$id denies $what', ({ vmi, field, type, names }) => {
    const causes = run(vmi);
    const hit = causes.find((c) => c.field === field && c.type === type && c.message.includes(names));
    expect(hit, JSON.stringify(causes)).toBeDefined();
  });

  it.each(ADMITTED)('$id admits $what', ({ vmi }) => {
    expect(run(vmi)).toEqual([]);
  });
});
