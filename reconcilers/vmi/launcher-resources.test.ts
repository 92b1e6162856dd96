// Figures of kubevirt/controllers.md §1.1 (memory overhead) and §1.2 (compute container resources), checked by hand.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { parseQuantity } from '../../core/quantity.js';
import { newRawVmi, newVmi, withDevices, withDomain, withMemory, withSpec, type VmiOption } from '../../test/builders/vmi.js';
import { computeResources, formatCpu, memoryOverhead, vcpusOf } from './launcher-resources.js';

const Mi = 2 ** 20;
const cpu = (sockets: number, cores: number, threads: number): VmiOption => withDomain({ cpu: { sockets, cores, threads } });

describe('memoryOverhead (§1.1)', () => {
  it.each([
    // request/512 + 220Mi processes + 8Mi × vCPUs + 8Mi IOThread + 32Mi video
    ['1 vCPU, 64Mi: 64Mi/512 + 220 + 8 + 8 + 32', [withMemory('64Mi'), cpu(1, 1, 1)], 64 * Mi / 512 + 268 * Mi],
    ['1 vCPU, 1Gi', [withMemory('1Gi'), cpu(1, 1, 1)], 2 * Mi + 268 * Mi],
    ['4 vCPUs (2 sockets × 2 cores), 1Gi', [withMemory('1Gi'), cpu(2, 2, 1)], 2 * Mi + 220 * Mi + 32 * Mi + 8 * Mi + 32 * Mi],
    ['no graphics device', [withMemory('1Gi'), cpu(1, 1, 1), withDevices({ autoattachGraphicsDevice: false })], 2 * Mi + 236 * Mi],
    ['one exec probe: +10Mi +100Mi', [withMemory('1Gi'), cpu(1, 1, 1), withSpec((s) => { s.readinessProbe = { exec: { command: ['true'] } }; })], 2 * Mi + 268 * Mi + 110 * Mi],
    ['two exec probes: +20Mi +100Mi', [withMemory('1Gi'), cpu(1, 1, 1), withSpec((s) => { s.readinessProbe = { exec: { command: ['true'] } }; s.livenessProbe = { exec: { command: ['true'] } }; })], 2 * Mi + 268 * Mi + 120 * Mi],
    ['tcp probe: nothing', [withMemory('1Gi'), cpu(1, 1, 1), withSpec((s) => { s.readinessProbe = { tcpSocket: { port: 22 } }; })], 2 * Mi + 268 * Mi],
    ['tpm: +53Mi', [withMemory('1Gi'), cpu(1, 1, 1), withDevices({ tpm: {} })], 2 * Mi + 268 * Mi + 53 * Mi],
    ['arm64: +128Mi', [withMemory('1Gi'), cpu(1, 1, 1), withSpec((s) => { s.architecture = 'arm64'; })], 2 * Mi + 268 * Mi + 128 * Mi],
    ['dedicated CPUs: +100Mi', [withMemory('1Gi'), withDomain({ cpu: { sockets: 1, cores: 2, threads: 1, dedicatedCpuPlacement: true } })], 2 * Mi + 276 * Mi + 100 * Mi],
  ])('%s', (_name, options, want) => {
    expect(memoryOverhead(newRawVmi(...(options as VmiOption[])))).toBe(want);
  });
});

describe('vcpusOf', () => {
  it.each([
    ['topology 2×3×2', [cpu(2, 3, 2)], 12],
    ['no cpu, limit 3', [withDomain({ resources: { limits: { cpu: '3' } } })], 3],
    ['no cpu, request 1500m → 2 (rounded up)', [withDomain({ resources: { requests: { cpu: '1500m' } } })], 2],
    ['nothing: 1', [], 1],
  ])('%s → %d', (_name, options, want) => {
    expect(vcpusOf(newRawVmi(...(options as VmiOption[])))).toBe(want);
  });
});

describe('formatCpu', () => {
  it.each([[100, '100m'], [1000, '1'], [2500, '2500m'], [3000, '3']])('%d → %s', (millis, want) => {
    expect(formatCpu(millis)).toBe(want);
  });
});

describe('computeResources (§1.2)', () => {
  it('admitted 64Mi VMI: memory request = guest + overhead, cpu 100m, 50M ephemeral storage, kvm/tun/vhost-net limits', () => {
    const r = computeResources(newVmi(withMemory('64Mi')), DEFAULT_CLUSTER_CONFIG);
    expect(parseQuantity(r.requests['memory'])).toBe(64 * Mi + 64 * Mi / 512 + 220 * Mi + 8 * Mi + 8 * Mi + 32 * Mi);
    expect(r.requests['cpu']).toBe('100m');
    expect(r.requests['ephemeral-storage']).toBe('50000000');
    expect(r.limits).toEqual({ 'devices.kubevirt.io/kvm': '1', 'devices.kubevirt.io/tun': '1', 'devices.kubevirt.io/vhost-net': '1' });
  });

  it('emulation: no kvm nor vhost-net device', () => {
    const r = computeResources(newVmi(withMemory('64Mi')), { ...DEFAULT_CLUSTER_CONFIG, useEmulation: true });
    expect(r.limits).toEqual({ 'devices.kubevirt.io/tun': '1' });
  });

  it('memory limit gets the overhead too; a user cpu request is kept', () => {
    const vmi = newRawVmi(cpu(2, 1, 1), withDomain({ resources: { requests: { memory: '1Gi', cpu: '250m' }, limits: { memory: '2Gi' } } }));
    const r = computeResources(vmi, DEFAULT_CLUSTER_CONFIG);
    const overhead = 2 * Mi + 220 * Mi + 16 * Mi + 8 * Mi + 32 * Mi;
    expect(parseQuantity(r.requests['memory'])).toBe(1024 * Mi + overhead);
    expect(parseQuantity(r.limits['memory'])).toBe(2048 * Mi + overhead);
    expect(r.requests['cpu']).toBe('250m');
  });

  it('no memory request: the limit is the request', () => {
    const r = computeResources(newRawVmi(cpu(1, 1, 1), withDomain({ resources: { limits: { memory: '1Gi' } } })), DEFAULT_CLUSTER_CONFIG);
    expect(parseQuantity(r.requests['memory'])).toBe(1024 * Mi + 2 * Mi + 268 * Mi);
  });

  it('overcommitGuestOverhead: the request is the guest only', () => {
    const r = computeResources(newRawVmi(cpu(1, 1, 1), withDomain({ resources: { requests: { memory: '1Gi' }, overcommitGuestOverhead: true } })), DEFAULT_CLUSTER_CONFIG);
    expect(r.requests['memory']).toBe('1Gi');
  });

  it('dedicated CPUs: cpu request = limit = vCPUs (+1 isolated emulator thread), memory limit = request', () => {
    const vmi = newRawVmi(withMemory('1Gi'), withDomain({ cpu: { sockets: 1, cores: 2, threads: 1, dedicatedCpuPlacement: true, isolateEmulatorThread: true } }));
    const r = computeResources(vmi, DEFAULT_CLUSTER_CONFIG);
    expect([r.requests['cpu'], r.limits['cpu']]).toEqual(['3', '3']);
    expect(r.limits['memory']).toBe(r.requests['memory']);
  });

  it('non-dedicated 4 vCPUs: 400m', () => {
    expect(computeResources(newRawVmi(withMemory('1Gi'), cpu(4, 1, 1)), DEFAULT_CLUSTER_CONFIG).requests['cpu']).toBe('400m');
  });
});
