// End to end, only through the `kvt` command as a user types it: a fresh data dir gets the demo
// guest with `kvt image import`, `kvt daemon` serves it, and every step is a separate `kvt` process
// whose exit code, stdout and stderr are checked as a shell user sees them. Strict field validation
// refuses a typo with its path; a VM whose instancetype does not exist is admitted with a warning and
// its start held with KubeVirt's reason; a VM started with `kvt start` runs the real guest (`kvt wait`
// sees it Ready, `kvt logs` shows its launcher's log) and the events tell its story (reasons, counts), as they tell a failed start's and a stop's; `unpause` of a
// running VMI is one line; `label` and `patch` change what `get` shows; `delete -f` removes what a
// manifest names; `get -l`, `-o jsonpath`, `get all` and `get -w` (Running, then Succeeded) show what
// the user asks for; `kvt explain` documents a field; the completion script finds objects by name. Runs in CI; skips outside CI without libvirtd/QEMU.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoGuest } from '../fixtures/demo-guest.js';
import { IN_CI, LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { untilOk } from '../builders/until.js';

const REPO = resolve(import.meta.dirname, '../..');
const KVT = join(REPO, 'bin/kvt.js');
const AVAILABLE = haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);
/** Every object of this suite is named with this prefix, so its guests are told from other suites'. */
const PREFIX = 'cli';

interface Ran { readonly code: number; readonly stdout: string; readonly stderr: string }

interface KubeEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count?: number;
  readonly involvedObject: { readonly kind: string; readonly name: string };
}

/** A guest spec that boots the demo guest and runs `script` as its cloud-init user data. */
function guest(script: string): object {
  return {
    terminationGracePeriodSeconds: 30,
    domain: {
      firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1 quiet', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
      devices: { disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }] },
      resources: { requests: { memory: '96Mi' } },
    },
    volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData: `#!/bin/sh\n${script}\n` } }],
  };
}

function vm(name: string, runStrategy: string, spec: object, extra: object = {}): object {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { runStrategy, template: { metadata: { labels: { app: name } }, spec }, ...extra } };
}

/** The shared poller, every 1000 ms. */
const until = <T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => untilOk(what, probe, ok, timeoutMs, 1000);

describe.skipIf(!IN_CI && !AVAILABLE)('kvt, as a user drives the daemon (real guests)', () => {
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: { kill: () => void; exited: Promise<number | null>; output: () => string } | undefined;

  /** One `kvt` command, to its end (2-core machines under load: a generous timeout). */
  function kvt(...args: string[]): Promise<Ran> {
    return new Promise((done) => {
      execFile(process.execPath, [KVT, ...args], { cwd: dataDir, env, timeout: 180_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  async function manifest(file: string, ...objects: object[]): Promise<string> {
    const path = join(dataDir, file);
    await writeFile(path, objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    return path;
  }

  async function json<T>(...args: string[]): Promise<T | undefined> {
    const r = await kvt('get', ...args, '-o', 'json');
    return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
  }

  const phase = async (name: string): Promise<string | undefined> => (await json<{ status?: { phase?: string } }>('vmi', name))?.status?.phase;

  async function events(): Promise<KubeEvent[]> {
    return (await json<{ items: KubeEvent[] }>('events'))?.items ?? [];
  }

  /** The events of one object as `Type Reason` lines, in the order they were first recorded. */
  async function reasonsOf(kind: string, name: string): Promise<string[]> {
    return (await events()).filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name).map((e) => `${e.type} ${e.reason}`);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kvt-cli-e2e-'));
    // As root the launchers' QEMU runs as the unprivileged kvt-qemu user, which must reach the image store.
    await chmod(dataDir, 0o755);
    env = { ...process.env, KVT_DATA_DIR: dataDir, NO_COLOR: '1' };
    const image = await ensureDemoGuest();
    const imported = await kvt('image', 'import', 'localhost/demo-guest:latest', image.dir);
    expect(imported.stdout).toMatch(/^Imported image localhost\/demo-guest:latest \(raw disk of 64 MiB, sha256:[0-9a-f]{64}\)\n$/);
    const child = spawn(process.execPath, [KVT, 'daemon', '--log-level', 'warn'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    daemon = { kill: () => child.kill('SIGTERM'), exited: new Promise((done) => child.once('exit', done)), output: () => output };
    await until('the daemon serving', async () => output, (o) => o.includes('kvt daemon: serving') || child.exitCode !== null, 90_000);
    expect(output).toContain('kvt daemon: serving');
  }, 700_000);

  afterAll(async () => {
    for (const kind of ['vms', 'vmis']) await kvt('delete', kind, '--all', '--wait=false').catch(() => undefined);
    await until('no guest of this suite left', () => qemuPids(PREFIX), (p) => p.length === 0, 120_000).catch(() => undefined);
    daemon?.kill();
    await daemon?.exited;
    for (const pid of await qemuPids(PREFIX)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }, 300_000);

  it('strict field validation refuses a typo, naming its path', async () => {
    const typo = vm(`${PREFIX}typo`, 'Halted', { domain: { devices: {}, resourcse: { requests: { memory: '96Mi' } } } });
    const file = await manifest('typo.yaml', typo);
    const r = await kvt('apply', '-f', file);
    expect(r).toEqual({
      code: 1, stdout: '',
      stderr: `Error from server (BadRequest): error when applying "${file}": VirtualMachine in version "v1" cannot be handled as a VirtualMachine: strict decoding error: unknown field "spec.template.spec.domain.resourcse"\n`,
    });
    expect(await kvt('get', 'vm', `${PREFIX}typo`)).toMatchObject({ code: 1, stderr: `Error from server (NotFound): virtualmachines.kubevirt.io "${PREFIX}typo" not found\n` });
  }, 200_000);

  it('a VM whose instancetype does not exist: kvt validate and kvt apply warn, the daemon admits it and holds its start with KubeVirt\'s reason', async () => {
    const name = `${PREFIX}noit`;
    const file = await manifest('noit.yaml', vm(name, 'Always', guest('true'), { instancetype: { name: 'nope' } }));
    const checked = await kvt('validate', file);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toContain(`Warning: VirtualMachine/${name}: spec.instancetype: instancetype "nope" was not found cluster-wide`);
    const applied = await kvt('apply', '-f', file);
    expect(applied).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io/${name} created\n` });
    // The daemon's admission warning, as kube-apiserver's Warning header reaches kubectl.
    expect(applied.stderr).toMatch(/^Warning: .*instancetype "nope" was not found cluster-wide/m);
    const held = await until('the Failure condition', () => json<{ status?: { printableStatus?: string; conditions?: { type: string; reason?: string; message?: string }[] } }>('vm', name),
      (v) => (v?.status?.conditions ?? []).some((c) => c.type === 'Failure'), 120_000);
    expect(held?.status?.conditions?.find((c) => c.type === 'Failure')).toMatchObject({ reason: 'FailedFindInstancetype', message: expect.stringContaining('"nope" not found') });
    expect(held?.status?.printableStatus).toBe('Stopped');
    expect(await kvt('get', 'vmi', name)).toMatchObject({ code: 1, stderr: `Error from server (NotFound): virtualmachineinstances.kubevirt.io "${name}" not found\n` });
    expect(await kvt('delete', '-f', file)).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io "${name}" deleted\n` });
  }, 200_000);

  it('kvt start runs the guest; the events say what happened, with their reasons', async () => {
    const name = `${PREFIX}vm`;
    const file = await manifest('vm.yaml', vm(name, 'Halted', guest('echo started-by-kvt-start')));
    expect(await kvt('apply', '-f', file)).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io/${name} created\n` });
    expect(await kvt('start', name)).toMatchObject({ code: 0 });
    expect(await kvt('wait', `vm/${name}`, '--for=condition=Ready', '--timeout=240s')).toEqual({ code: 0, stdout: `virtualmachine.kubevirt.io/${name} condition met\n`, stderr: '' });
    expect(await phase(name)).toBe('Running');
    // kvt get all: the VM, its VMI and its launcher pod, each as kind.group/name.
    const all = await kvt('get', 'all');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toMatch(new RegExp(`^pod/virt-launcher-${name}-\\w+ `, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^virtualmachine\\.kubevirt\\.io/${name} `, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^virtualmachineinstance\\.kubevirt\\.io/${name} `, 'm'));
    // Starting it again is refused by virt-api: one line, exit 1.
    const again = await kvt('start', name);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/VM is already running\n$/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    // kvt logs vmi/NAME: the launcher pod's log, the launcher's JSON lines about this VMI.
    const logs = await until('the launcher\'s Running line', () => kvt('logs', `vmi/${name}`), (r) => r.code !== 0 || r.stdout.includes('"phase":"Running"'), 60_000);
    expect(logs).toMatchObject({ code: 0, stderr: '' });
    const lines = logs.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { component?: string; name?: string; phase?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.component === 'virt-launcher' && l.name === name)).toBe(true);
    expect(lines.map((l) => l.phase).filter((p) => p !== undefined)).toContain('Running');
    expect((await kvt('logs', `vmi/${name}`, '--tail', '1')).stdout.trim().split('\n')).toHaveLength(1);
    const vmReasons = await until('the VM\'s SuccessfulCreate event', () => reasonsOf('VirtualMachine', name), (r) => r.includes('Normal SuccessfulCreate'), 60_000);
    expect(vmReasons).toContain('Normal SuccessfulCreate');
    const vmiReasons = await until('the VMI\'s Started event', () => reasonsOf('VirtualMachineInstance', name), (r) => r.includes('Normal Started'), 60_000);
    expect(vmiReasons).toEqual(expect.arrayContaining(['Normal SuccessfulCreate', 'Normal Created', 'Normal Started']));
    expect(vmiReasons.filter((r) => r.startsWith('Warning'))).toEqual([]);
  }, 400_000);

  it('kvt explain vm.spec.runStrategy documents the field from the schema, with its values', async () => {
    const r = await kvt('explain', 'vm.spec.runStrategy');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GROUP: +kubevirt\.io\nKIND: +VirtualMachine\nVERSION: +v1\n\nFIELD: runStrategy <string>\n/);
    for (const value of ['Always', 'Halted', 'Manual', 'RerunOnFailure', 'Once']) expect(r.stdout).toContain(value);
    expect(await kvt('explain', 'vm.spec.runStrategyy')).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^error: .*runStrategyy/) });
  }, 100_000);

  it('unpause of a running VMI is one line of virtctl\'s words, exit 1', async () => {
    expect(await kvt('unpause', 'vmi', `${PREFIX}vm`)).toEqual({ code: 1, stdout: '', stderr: `Error unpausing VirtualMachineInstance ${PREFIX}vm: VMI is not paused\n` });
  }, 100_000);

  it('label and patch change the VM as get shows it', async () => {
    const name = `${PREFIX}vm`;
    expect(await kvt('label', 'vm', name, 'tier=web')).toEqual({ code: 0, stdout: `virtualmachine.kubevirt.io/${name} labeled\n`, stderr: '' });
    expect(await kvt('patch', 'vm', name, '--type', 'merge', '-p', '{"metadata":{"annotations":{"owner":"e2e"}}}')).toEqual({ code: 0, stdout: `virtualmachine.kubevirt.io/${name} patched\n`, stderr: '' });
    const patched = await json<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }>('vm', name);
    expect(patched?.metadata.labels).toMatchObject({ tier: 'web' });
    expect(patched?.metadata.annotations).toMatchObject({ owner: 'e2e' });
    expect(await kvt('get', 'vms', '-l', 'tier=web', '-o', 'name')).toEqual({ code: 0, stdout: `virtualmachine.kubevirt.io/${name}\n`, stderr: '' });
    expect(await kvt('get', 'vms', '-l', 'tier=db')).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
    expect(await kvt('get', 'vm', name, '-o', 'jsonpath={.metadata.labels.tier} {.metadata.annotations.owner}')).toEqual({ code: 0, stdout: 'web e2e', stderr: '' });
  }, 100_000);

  it('shell completion offers the daemon\'s objects by name (kvt completion bash, as sourced by a shell)', async () => {
    const bin = join(dataDir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'kvt'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(KVT)} "$@"\n`, { mode: 0o755 });
    const script = await kvt('completion', 'bash');
    expect(script.code).toBe(0);
    await writeFile(join(dataDir, 'kvt.bash'), script.stdout);
    const complete = async (...words: string[]): Promise<string[]> => {
      const line = `source kvt.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; __start_kvt; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const { stdout } = await promisify(execFile)('bash', ['-c', line], { cwd: dataDir, env: { ...env, PATH: `${bin}:${env['PATH'] ?? ''}` } });
      return stdout.split('\n').filter((w) => w !== '');
    };
    expect(await complete('kvt', 'get', 'vm', PREFIX)).toEqual([`${PREFIX}vm`]);
    expect(await complete('kvt', 'stop', '')).toEqual([`${PREFIX}vm`]);
    expect(await complete('kvt', 'unpause', 'vmi', '')).toEqual([`${PREFIX}vm`]);
  }, 100_000);

  it('kvt stop shuts the guest down; the events record the stop', async () => {
    const name = `${PREFIX}vm`;
    expect(await kvt('stop', name)).toMatchObject({ code: 0 });
    await until('the VMI gone', () => kvt('get', 'vmi', name), (r) => r.code === 1, 180_000);
    expect(await qemuPids(name)).toEqual([]);
    const vmReasons = await until('the VM\'s SuccessfulDelete event', () => reasonsOf('VirtualMachine', name), (r) => r.includes('Normal SuccessfulDelete'), 60_000);
    expect(vmReasons).toEqual(expect.arrayContaining(['Normal SuccessfulCreate', 'Normal SuccessfulDelete']));
    expect(await reasonsOf('VirtualMachineInstance', name)).toEqual(expect.arrayContaining(['Normal ShuttingDown']));
  }, 300_000);

  it('a start that fails: the VMI\'s Warning events say why, and a VM that retries counts its attempts', async () => {
    const name = `${PREFIX}bad`;
    const spec = guest('true') as { domain: { firmware: { kernelBoot: { container: { image: string } } } } };
    spec.domain.firmware.kernelBoot.container.image = 'localhost/not-imported:latest';
    const file = await manifest('bad.yaml', vm(name, 'Always', spec));
    expect(await kvt('apply', '-f', file)).toMatchObject({ code: 0 });
    const failed = await until('a Warning on the VMI', async () => (await events()).filter((e) => e.involvedObject.name === name && e.type === 'Warning'), (w) => w.length > 0, 240_000);
    expect(failed.map((e) => e.message).join('\n')).toContain('localhost/not-imported:latest');
    // The VM controller starts it again after each failure: the same event, counted.
    const creates = await until('a second start', async () => (await events()).find((e) => e.involvedObject.kind === 'VirtualMachine' && e.involvedObject.name === name && e.reason === 'SuccessfulCreate'),
      (e) => (e?.count ?? 0) >= 2, 240_000);
    expect(creates?.count).toBeGreaterThanOrEqual(2);
    // As a user reads them: kvt get events --for, and kvt describe's Events with the count.
    const table = await kvt('get', 'events', '--for', `vm/${name}`);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE\n/);
    expect(table.stdout).toMatch(new RegExp(`Normal +SuccessfulCreate +virtualmachine/${name} +Started the virtual machine by creating the new virtual machine instance ${name}`));
    const described = await kvt('describe', 'vm', name);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/Normal +SuccessfulCreate +.*\(x\d+ over /);
    expect(await kvt('delete', '-f', file)).toMatchObject({ code: 0, stdout: `virtualmachine.kubevirt.io "${name}" deleted\n` });
  }, 600_000);

  it('kvt get -w sees a VMI go Running, then Succeeded when its guest powers off', async () => {
    const name = `${PREFIX}once`;
    const file = await manifest('once.yaml', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name }, spec: guest('sleep 2; poweroff -f') });
    const watch = spawn(process.execPath, [KVT, 'get', 'vmis', '-w'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    watch.stdout.on('data', (b: Buffer) => { seen += b.toString(); });
    try {
      expect(await kvt('apply', '-f', file)).toMatchObject({ code: 0 });
      const rows = (): string[] => seen.split('\n').filter((l) => l.startsWith(`${name} `));
      await until('the watch to show Succeeded', async () => rows(), (r) => r.some((l) => /\s(Succeeded|Failed)\s/.test(l)), 300_000);
      const phases = rows().map((l) => /\s(Pending|Scheduling|Scheduled|Running|Succeeded|Failed)\s/.exec(l)?.[1]);
      expect(phases).toContain('Running');
      expect(phases.indexOf('Running')).toBeLessThan(phases.indexOf('Succeeded'));
      expect(seen.split('\n')[0]).toMatch(/^NAME +AGE +PHASE/);
    } finally {
      watch.kill('SIGINT');
    }
    expect(await kvt('delete', '-f', file)).toMatchObject({ code: 0, stdout: `virtualmachineinstance.kubevirt.io "${name}" deleted\n` });
  }, 400_000);

  it('delete -f removes every object its manifest names and says so in kubectl\'s lines', async () => {
    const file = await manifest('vm.yaml', vm(`${PREFIX}vm`, 'Halted', guest('true')));
    expect(await kvt('delete', '-f', file)).toEqual({ code: 0, stdout: `virtualmachine.kubevirt.io "${PREFIX}vm" deleted\n`, stderr: '' });
    expect(await kvt('get', 'vm', `${PREFIX}vm`)).toMatchObject({ code: 1 });
  }, 200_000);
});
