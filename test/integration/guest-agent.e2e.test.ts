// Issue 17's guest agent facts end to end (local mode, a real guest): the Debian 12 guest runs
// qemu-guest-agent; the launcher's agent poller reads it through the launcher's own libvirtd; the
// handler writes the AgentConnected condition, `status.interfaces[0]` merged by MAC (infoSource
// "domain, guest-agent", the guest's own interfaceName, the pod IP kept for masquerade) and
// `status.guestOSInfo`; `kvt guestosinfo` prints it. The daemon uses its own bridge and CIDR, so it
// never meets another suite's; no traffic is sent anywhere.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianGuestSpec, ensureDebianGuest, DEBIAN_GUEST_REF } from '../fixtures/debian-guest.js';
import { IN_CI, IS_ROOT, LIBVIRT_TOOLS, haveTools } from '../fixtures/host.js';
import { until } from '../fixtures/kvt-daemon.js';

const KVT = join(resolve(import.meta.dirname, '../..'), 'bin/kvt.js');
const AVAILABLE = IS_ROOT && haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage', 'ip', 'nft']);
const BRIDGE = `kvta${randomBytes(3).toString('hex')}`;
const SUBNET = `10.232.${100 + (randomBytes(1)[0] ?? 0) % 100}`;

interface Ran { readonly code: number; readonly stdout: string; readonly stderr: string }
interface Condition { type: string; status: string }
interface Iface { name?: string; mac?: string; ipAddress?: string; interfaceName?: string; infoSource?: string }
interface Vmi { status?: { phase?: string; conditions?: Condition[]; interfaces?: Iface[]; guestOSInfo?: Record<string, string> } }

function debianVmi(name: string): object {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name }, spec: { terminationGracePeriodSeconds: 30, ...debianGuestSpec() } };
}

describe.skipIf(!IN_CI && !AVAILABLE)('the guest agent\'s facts in the VMI status (issue 17)', () => {
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: ChildProcess | undefined;
  let output = '';

  function kvt(...args: string[]): Promise<Ran> {
    return new Promise((done) => {
      execFile(process.execPath, [KVT, ...args], { cwd: dataDir, env, timeout: 180_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  async function vmi(name: string): Promise<Vmi | undefined> {
    const r = await kvt('get', 'vmi', name, '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as Vmi) : undefined;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-agent-e2e-'));
    await chmod(dataDir, 0o755);
    env = { ...process.env, KVT_DATA_DIR: dataDir, NO_COLOR: '1' };
    const debian = await ensureDebianGuest();
    expect(await kvt('image', 'import', DEBIAN_GUEST_REF, debian.dir)).toMatchObject({ code: 0 });
    const child = spawn(process.execPath, [KVT, 'daemon', '--log-level', 'warn', '--pod-bridge', BRIDGE, '--pod-cidr', `${SUBNET}.0/24`], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    daemon = child;
    await until('the daemon serving', () => Promise.resolve(output), (o) => o.includes('kvt daemon: serving') || child.exitCode !== null, 120_000);
    expect(output).toContain('kvt daemon: serving');
    const path = join(dataDir, 'vmi.json');
    await writeFile(path, JSON.stringify(debianVmi('agent-debian')));
    expect(await kvt('apply', '-f', path)).toMatchObject({ code: 0 });
  }, 1_500_000);

  afterAll(async () => {
    const child = daemon;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await kvt('delete', 'vmi', '--all', '--wait=true', '--timeout=300s').catch(() => undefined);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (process.env['KVT_KEEP_E2E'] === undefined) await rm(dataDir, { recursive: true, force: true });
  }, 600_000);

  it('AgentConnected, the interface merged with the agent\'s, guestOSInfo, kvt guestosinfo', async () => {
    const connected = (v: Vmi | undefined): boolean => v?.status?.conditions?.some((c) => c.type === 'AgentConnected' && c.status === 'True') === true;
    const withFacts = await until('AgentConnected with the guest\'s NIC and OS', () => vmi('agent-debian'),
      (v) => connected(v) && v?.status?.guestOSInfo?.id !== undefined && (v.status.interfaces?.[0]?.interfaceName ?? '') !== '', 1_200_000);
    const status = withFacts?.status;
    const nic = status?.interfaces?.[0];
    expect(nic?.name).toBe('default');
    expect(nic?.infoSource).toBe('domain, guest-agent');
    expect(nic?.interfaceName).toMatch(/^(enp\d+s\d+|eth\d+|ens\d+)$/);
    // Masquerade: the pod's IP stays the VMI's address (the guest only knows its 10.0.2.2).
    expect(nic?.ipAddress?.startsWith(`${SUBNET}.`)).toBe(true);
    expect(status?.guestOSInfo).toMatchObject({ id: 'debian', versionId: '12' });
    // The loopback NIC is not listed.
    expect(status?.interfaces?.some((i) => i.interfaceName === 'lo')).toBe(false);
    const info = await kvt('guestosinfo', 'agent-debian');
    expect(info).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(info.stdout) as { os: Record<string, string> }).os).toMatchObject({ id: 'debian', versionId: '12', name: 'Debian GNU/Linux' });
  }, 1_300_000);
});
