// kubevirt-ts on a real Kubernetes, driven with kubectl as a user drives it: the install synthesized
// by synth/main.ts and applied with kubectl comes up as pods on a `kvt node-agent` node; the API server
// calls our webhooks (admitted objects mutated as `kvt validate` mutates them, refused ones refused on
// the same fields); examples/demo.yaml boots its guest through the cluster and `kubectl delete vm`
// removes the VMI, the launcher pod and QEMU; printer columns, explain and the scale subresource
// answer through kubectl. Needs the test cluster (scripts/test.sh starts it) and libvirt/QEMU.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayName, parseManifests } from '../../core/manifests.js';
import { KINDS, LabelValues, Labels } from '../../crd-gen/index.js';
import { CLUSTER_KUBECONFIG, SKIP_CLUSTER } from '../fixtures/cluster.js';
import { LIBVIRT_TOOLS, haveTools, qemuPids } from '../fixtures/host.js';
import { sandboxNetns } from '../../local/pod-network/runtime/sandbox.js';

const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
/** A Node object with no kubelet behind it, for the test of who may change which Node. */
const FAKE_NODE = 'kvt-fake-node';
const SKIP = SKIP_CLUSTER || !haveTools([...LIBVIRT_TOOLS, 'qemu-img', 'genisoimage']);

interface Result { readonly code: number; readonly stdout: string; readonly stderr: string }
interface Listed<T> { readonly items: T[] }
interface PodLike { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string; conditions?: { type: string; status: string }[] } }

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe.skipIf(SKIP)('kubevirt-ts on a real Kubernetes, through kubectl', () => {
  let work = '';
  let kubectlBin = '';
  let agent: ChildProcess | undefined;
  let agentLog = '';
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: CLUSTER_KUBECONFIG ?? '', KVT_DATA_DIR: join(work, 'data') });

  /** kubectl with the test cluster's admin kubeconfig; never throws (the exit code is in the result). */
  function kubectl(...args: string[]): Promise<Result> {
    return tool(kubectlBin, args);
  }

  /** Runs a program with the suite's environment; never throws (the exit code is in the result). */
  function tool(file: string, args: readonly string[]): Promise<Result> {
    return new Promise((done) => {
      execFile(file, args, { env: env(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        done({ code: err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1, stdout, stderr });
      });
    });
  }

  async function json<T>(...args: string[]): Promise<T> {
    const r = await kubectl(...args, '-o', 'json');
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  const ready = (p: PodLike): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'kvt-cluster-e2e-'));
    await chmod(work, 0o755);
    const data = join(work, 'data');
    // The launchers' QEMU runs as the unprivileged kvt-qemu user, which must reach the image store.
    await run('mkdir', ['-p', data]);
    await chmod(data, 0o755);
    await run('bash', [join(REPO, 'scripts/build-guest.sh')], { cwd: REPO, env: env(), timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    kubectlBin = join((await run('bash', [join(REPO, 'scripts/cluster.sh'), 'build'])).stdout.trim().split('\n').pop() ?? '', 'kubectl');
    await run('npx', ['tsx', join(REPO, 'synth/main.ts')], { cwd: REPO, env: { ...process.env, CDK8S_OUTDIR: join(work, 'manifests') }, timeout: 300_000 });
    const args = (await run('bash', [join(REPO, 'scripts/cluster.sh'), 'node-agent-args'])).stdout.trim().split('\n');
    const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'node-agent', ...args, '--data-dir', data, '--state-dir', join(work, 'node-agent'), '--log-level', 'warn'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (b: Buffer) => { agentLog += b.toString(); });
    child.stderr?.on('data', (b: Buffer) => { agentLog += b.toString(); });
    agent = child;
    const files = (await readdir(join(work, 'manifests'))).sort();
    for (const f of files) {
      const applied = await kubectl('apply', '-f', join(work, 'manifests', f));
      expect(applied.stderr).toBe('');
    }
  }, 900_000);

  afterAll(async () => {
    if (kubectlBin !== '') {
      await kubectl('delete', 'vm,vmi,vmirs', '--all', '--wait=true', '--timeout=120s');
      // The APIService first: while it names a Service that is going away, the namespace controller cannot finish (its discovery fails).
      await kubectl('delete', 'apiservice,mutatingwebhookconfiguration,validatingwebhookconfiguration,validatingadmissionpolicy,validatingadmissionpolicybinding,clusterrole,clusterrolebinding', '-l', 'app.kubernetes.io/part-of=kubevirt-ts');
      await kubectl('delete', 'node', FAKE_NODE, '--ignore-not-found');
      await kubectl('delete', 'rolebinding', '-n', 'kube-system', '-l', 'app.kubernetes.io/part-of=kubevirt-ts');
      await kubectl('delete', 'namespace', 'kubevirt', '--wait=true', '--timeout=120s');
    }
    agent?.kill('SIGTERM');
    await until('no QEMU of this suite', () => qemuPids('demo'), (p) => p.length === 0, 60_000).catch(() => undefined);
    if (work !== '') await rm(work, { recursive: true, force: true });
  }, 300_000);

  it('the synthesized install comes up as pods on the node agent\'s node', async () => {
    const pods = await until('virt-api ×2, virt-controller ×2, virt-handler ×1 Ready', () => json<Listed<PodLike>>('get', 'pods', '-n', 'kubevirt'),
      (l) => l.items.filter(ready).length === 5, 240_000).catch((e: unknown) => { throw new Error(`${String(e)}\nnode agent: ${agentLog.slice(-2000)}`); });
    const byName = pods.items.map((p) => p.metadata.labels?.['app.kubernetes.io/name']).sort();
    expect(byName).toEqual(['virt-api', 'virt-api', 'virt-controller', 'virt-controller', 'virt-handler']);
    const node = await json<{ status: { conditions: { type: string; status: string }[] } }>('get', 'node', 'kvt-node');
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  }, 300_000);

  it('admits through our webhooks: a refused VMI names its fields as kvt validate does', async () => {
    const file = join(REPO, 'test/fixtures/admission/cli/semantic.yaml');
    const local = await run(process.execPath, [join(REPO, 'bin/kvt.js'), 'validate', file]).catch((e: { stdout: string }) => e);
    const server = await kubectl('apply', '--dry-run=server', '-f', file);
    expect(server.code).not.toBe(0);
    const field = /spec\.domain\.devices\.disks\[1\]\.name/;
    expect(local.stdout).toMatch(field);
    expect(server.stderr).toMatch(field);
    // The mutating webhook ran: an admitted VMI comes back with KubeVirt's defaults and finalizer.
    const admitted = await kubectl('apply', '--dry-run=server', '-f', join(REPO, 'examples/vmi-sata-masquerade.yaml'), '-o', 'json');
    expect(admitted.code).toBe(0);
    const vmi = JSON.parse(admitted.stdout) as { metadata: { finalizers?: string[] }; spec: { domain: { machine?: { type?: string } } } };
    expect([vmi.metadata.finalizers, vmi.spec.domain.machine?.type]).toEqual([['kubevirt.io/foregroundDeleteVirtualMachine'], 'q35']);
  }, 120_000);

  it('admits every example and fixture as kvt validate does: the same verdict, the same mutations, the refused fields among the API server\'s causes', async () => {
    const sources = [
      ...(await readdir(join(REPO, 'examples'))).filter((f) => f.endsWith('.yaml')).map((f) => join(REPO, 'examples', f)),
      ...['test/fixtures/validate/invalid.yaml', 'test/fixtures/admission/cli/semantic.yaml', 'test/fixtures/admission/cli/flavoured-vmi.yaml',
        'test/fixtures/admission/cli/conflicting-presets.yaml', 'test/fixtures/admission/cli/presets/flavours.yaml'].map((f) => join(REPO, f)),
    ];
    const lookupKinds = new Set(['VirtualMachineInstancePreset', 'VirtualMachineInstancetype', 'VirtualMachinePreference', 'VirtualMachineClusterInstancetype', 'VirtualMachineClusterPreference']);
    const ours = new Set(Object.keys(KINDS));
    const checked: string[] = [];
    for (const [i, source] of sources.entries()) {
      // Each source in a namespace of its own: its presets select only its own objects, on both sides.
      const namespace = `adm-${i}-${randomBytes(2).toString('hex')}`;
      expect((await kubectl('create', 'namespace', namespace)).code).toBe(0);
      const dir = join(work, namespace);
      await mkdir(join(dir, 'lookups'), { recursive: true });
      const parsed = parseManifests(source, await readFile(source, 'utf8')).objects.map((o) => o.object)
        .filter((o) => ours.has(String(o['kind'])))
        .map((o): Record<string, unknown> => ({ ...o, metadata: { ...(o['metadata'] as object), namespace } }));
      // The flavoured VMI finds its preset in the fixture's presets directory, as `kvt validate --presets` does.
      const extra = source.endsWith('flavoured-vmi.yaml') ? parseManifests('p', await readFile(join(REPO, 'test/fixtures/admission/cli/presets/flavours.yaml'), 'utf8')).objects.map((o): Record<string, unknown> => ({ ...o.object, metadata: { ...(o.object['metadata'] as object), namespace } })) : [];
      const lookups = [...extra, ...parsed.filter((o) => lookupKinds.has(String(o['kind'])))];
      await writeFile(join(dir, 'lookups', 'all.yaml'), lookups.map((o) => JSON.stringify(o)).join('\n---\n'));
      for (const lookup of lookups) {
        const file = join(dir, `lookup-${checked.length}.json`);
        await writeFile(file, JSON.stringify(lookup));
        const local = await kvtValidate(file, join(dir, 'lookups'));
        const applied = await kubectl('apply', '-f', file);
        expect([displayName(lookup), applied.code === 0]).toEqual([displayName(lookup), local.code === 0]);
        checked.push(displayName(lookup));
      }
      for (const [j, object] of parsed.filter((o) => !lookupKinds.has(String(o['kind']))).entries()) {
        const file = join(dir, `object-${j}.json`);
        await writeFile(file, JSON.stringify(object));
        const local = await kvtValidate(file, join(dir, 'lookups'));
        // The informers of virt-api see the lookups a moment after they were created.
        const server = await until(`the verdict on ${displayName(object)}`, () => kubectl('create', '--dry-run=server', '-o', 'json', '-f', file),
          (r) => (r.code === 0) === (local.code === 0), 30_000).catch(() => kubectl('create', '--dry-run=server', '-o', 'json', '-f', file));
        const what = `${source}: ${displayName(object)}`;
        expect([what, server.code === 0]).toEqual([what, local.code === 0]);
        if (local.code === 0) {
          // The same mutations: spec, labels, annotations, finalizers (the random firmware UUID and serial aside).
          const mine = admittedView(JSON.parse(local.stdout));
          const theirs = admittedView(JSON.parse(server.stdout));
          expect([what, theirs]).toEqual([what, mine]);
        } else {
          // With -o, kvt validate prints its problems on stderr, `Kind/name: field: message` (warnings aside).
          const fields = local.stderr.split('\n').filter((l) => !l.startsWith('Warning:')).map((l) => /^[^:]+: ([^:\s]+):/.exec(l)?.[1]).filter((f): f is string => f !== undefined && f !== 'kind');
          expect(fields.length).toBeGreaterThan(0);
          // kubectl's strict field validation stops at an unknown field, which kvt validate warns about;
          // the API server's lax mode drops it (with a warning) and names the other causes.
          const unknown = /strict decoding error: unknown field "([^"]+)"/.exec(server.stderr)?.[1];
          if (unknown !== undefined) expect(local.stderr).toContain(`unknown field "${unknown}"`);
          const causes = unknown === undefined ? server : await kubectl('create', '--dry-run=server', '--validate=false', '-o', 'json', '-f', file);
          for (const field of fields) expect([what, causes.stderr]).toEqual([what, expect.stringContaining(field)]);
        }
        checked.push(displayName(object));
      }
      await kubectl('delete', 'namespace', namespace, '--wait=false');
    }
    expect(checked.length).toBeGreaterThan(15);
  }, 600_000);

  it('kubectl apply of examples/demo.yaml boots the guest; kubectl delete vm removes the VMI, the pod and QEMU', async () => {
    const applied = await kubectl('apply', '-f', join(REPO, 'examples/demo.yaml'));
    expect(applied.stdout).toContain('virtualmachine.kubevirt.io/demo created');
    type Vmi = { status?: { phase?: string; nodeName?: string } };
    const vmi = await until('VMI demo Running', () => json<Vmi>('get', 'vmi', 'demo').catch((): Vmi => ({})),
      (v) => v.status?.phase === 'Running' || v.status?.phase === 'Failed', 240_000);
    expect(vmi.status?.phase).toBe('Running');
    expect(vmi.status?.nodeName).toBe('kvt-node');
    // Its boot image came as an image volume, served by the node agent from its image store.
    const launchers = await json<Listed<{ spec: { volumes?: { image?: { reference: string } }[]; containers: { args?: string[] }[] } }>>('get', 'pods', '-l', `${Labels.app}=${LabelValues.virtLauncher}`);
    expect(launchers.items[0]?.spec.volumes?.flatMap((v) => (v.image === undefined ? [] : [v.image.reference]))).toEqual(['localhost/demo-guest:latest']);
    expect(launchers.items[0]?.spec.containers[0]?.args).toContain('--image-volumes');
    const table = await kubectl('get', 'vm', 'demo');
    expect(table.stdout).toMatch(/^NAME\s+AGE\s+STATUS\s+READY\ndemo\s+\S+\s+Running\s+True/);

    // The guest's serial console through the cluster: kvt console → API server → virt-api → virt-handler → launcher.
    const token = 'cloud-init says: hello from the demo VM';
    expect(await kvtConsoleUntil('demo', token, 240_000)).toContain(token);

    // virtctl's lifecycle calls through the aggregated API: pause and unpause reach the launcher.
    expect((await kvt('pause', 'demo')).stdout).toContain('VMI demo was scheduled to pause');
    await until('VMI demo Paused', () => json<Conditioned>('get', 'vmi', 'demo'), (v) => paused(v), 60_000);
    // A VM's portforward reaches its VMI, which virt-api refuses while paused (as KubeVirt: 409).
    const whilePaused = await kvt('port-forward', '--stdio', 'vm/demo', '22');
    expect([whilePaused.code, whilePaused.stderr]).toEqual([1, 'error: Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "demo": VMI is paused\n']);
    const again = await kvt('pause', 'demo');
    expect([again.code, again.stderr.trim()]).toEqual([1, 'Error pausing VirtualMachineInstance demo: VMI is already paused']);
    expect((await kvt('unpause', 'demo')).stdout).toContain('VMI demo was scheduled to unpause');
    await until('VMI demo not Paused', () => json<Conditioned>('get', 'vmi', 'demo'), (v) => !paused(v), 60_000);
    // stop removes the VMI (the guest shuts down); start creates a new one.
    const firstUid = (await json<{ metadata: { uid: string } }>('get', 'vmi', 'demo')).metadata.uid;
    expect((await kvt('stop', 'demo')).stdout).toContain('VM demo was scheduled to stop');
    await until('VMI demo gone', async () => (await json<Listed<unknown>>('get', 'vmi')).items.length, (n) => n === 0, 180_000);
    // A stopped VM has no VMI to forward to; a VM that does not exist is not found.
    const stopped = await kvt('port-forward', '--stdio', 'vm/demo', '22');
    expect([stopped.code, stopped.stderr]).toEqual([1, 'error: Operation cannot be fulfilled on virtualmachine.kubevirt.io "demo": VMI is not started\n']);
    const noVm = await kvt('port-forward', '--stdio', 'vm/nope', '22');
    expect([noVm.code, noVm.stderr]).toEqual([1, 'error: virtualmachine.kubevirt.io "nope" not found\n']);
    expect((await kvt('start', 'demo')).stdout).toContain('VM demo was scheduled to start');
    const restarted = await until('VMI demo Running again', () => json<Vmi & { metadata?: { uid?: string } }>('get', 'vmi', 'demo').catch((): Vmi => ({})),
      (v) => v.status?.phase === 'Running' || v.status?.phase === 'Failed', 240_000);
    expect(restarted.status?.phase).toBe('Running');
    expect((restarted as { metadata?: { uid?: string } }).metadata?.uid).not.toBe(firstUid);
    // vm/demo's portforward reaches the new VMI: the guest's SSH server greets through it (once it is up).
    const banner = await until('the guest\'s SSH banner through kvt port-forward --stdio vm/demo 22', () => kvtStdioUntil('vm/demo', '22', '', 'SSH-2.0-', 30_000).catch(() => ''), (out) => out.startsWith('SSH-2.0-'), 240_000);
    expect(banner).toMatch(/^SSH-2\.0-dropbear/);

    expect(await qemuPids('demo')).toHaveLength(1);
    const deleted = await kubectl('delete', 'vm', 'demo', '--timeout=180s');
    expect(deleted.code).toBe(0);
    await until('no VMI, no launcher pod, no QEMU', async () => [
      (await json<Listed<unknown>>('get', 'vmi')).items.length, (await json<Listed<unknown>>('get', 'pods')).items.length, (await qemuPids('demo')).length,
    ], (n) => n.every((x) => x === 0), 180_000);
  }, 600_000);

  it('a masquerade VMI declaring port 8080 answers at its pod IP, found through a Service\'s endpoints, and through kvt port-forward and kvt ssh --kubeconfig', async () => {
    const token = `kvt-cluster-web-${randomBytes(4).toString('hex')}`;
    const userData = ['#cloud-config', 'runcmd:', `  - mkdir -p /tmp/www && echo ${token} > /tmp/www/index.html`, '  - httpd -p 8080 -h /tmp/www', ''].join('\n');
    const vmi = guestVmi('web') as { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> & { domain: { devices: Record<string, unknown> } } };
    vmi.metadata.labels = { 'kvt-test': 'web' };
    vmi.spec.domain.devices = {
      disks: [{ name: 'cloudinitdisk', disk: { bus: 'virtio' } }],
      interfaces: [{ name: 'default', masquerade: {}, ports: [{ port: 8080 }, { port: 22 }] }],
    };
    vmi.spec['networks'] = [{ name: 'default', pod: {} }];
    vmi.spec['volumes'] = [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData } }];
    // A key for kvt ssh, put into the guest the KubeVirt way (accessCredentials from a Secret).
    const key = join(work, 'web-ssh-key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kvt-cluster-ssh', '-f', key]);
    const sshSecret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-ssh', namespace: 'default' }, stringData: { key: (await readFile(`${key}.pub`, 'utf8')).trim() } };
    vmi.spec['accessCredentials'] = [{ sshPublicKey: { source: { secret: { secretName: 'web-ssh' } }, propagationMethod: { noCloud: {} } } }];
    const service = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { 'kvt-test': 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    };
    const applied = await kubectlApply([sshSecret, vmi, service]);
    expect(applied.code, applied.stderr).toBe(0);
    try {
      type Vmi = { status?: { phase?: string; interfaces?: { name?: string; ipAddress?: string }[] } };
      const running = await until('VMI web Running', () => json<Vmi>('get', 'vmi', 'web').catch((): Vmi => ({})),
        (v) => v.status?.phase === 'Running' || v.status?.phase === 'Failed', 240_000);
      expect(running.status?.phase).toBe('Running');
      const pods = await json<Listed<{ status?: { podIP?: string } }>>('get', 'pods', '-l', 'kvt-test=web');
      const podIp = pods.items[0]?.status?.podIP ?? '';
      expect(podIp).toMatch(/^10\.244\.0\.\d+$/);
      // The endpoint slice controller of the real kube-controller-manager lists the launcher pod behind the Service.
      type Slices = Listed<{ endpoints?: { addresses: string[] }[]; ports?: { port?: number }[] }>;
      const slices = await until('the Service\'s endpoints', () => json<Slices>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'),
        (l) => l.items.some((s) => (s.endpoints ?? []).length > 0), 120_000);
      const slice = slices.items.find((s) => (s.endpoints ?? []).length > 0);
      expect(slice?.endpoints?.flatMap((e) => e.addresses)).toEqual([podIp]);
      expect(slice?.ports?.map((p) => p.port)).toEqual([8080]);
      // The endpoint's address and port reach the guest: masquerade DNATs the declared port to it.
      const [address] = slice?.endpoints?.[0]?.addresses ?? [];
      const body = await until('the guest\'s HTTP server at the endpoint', () => fetchText(`http://${address ?? ''}:8080/`), (b) => b === token, 240_000);
      expect(body).toBe(token);
      // As KubeVirt reports a masquerade interface: the pod IP.
      const reported = await until('the VMI\'s interface IP', () => json<Vmi>('get', 'vmi', 'web'), (v) => v.status?.interfaces?.[0]?.ipAddress !== undefined, 60_000);
      expect(reported.status?.interfaces?.[0]).toMatchObject({ name: 'default', ipAddress: podIp });
      // The same page through the API server: kvt port-forward → virt-api → virt-handler → the pod IP's port 8080.
      const forward = await kvtPortForward('vmi/web', ':8080');
      try {
        // Each connection opens its own websocket through the API server, virt-api and virt-handler: on a loaded machine that may take seconds.
        for (let i = 0; i < 2; i += 1) expect(await fetchText(`http://127.0.0.1:${forward.port}/`, 60_000), forward.stderr()).toBe(token);
      } finally {
        forward.stop();
      }
      // --stdio (ssh's ProxyCommand): one connection on stdin/stdout.
      expect(await kvtStdioUntil('vmi/web', '8080', 'GET / HTTP/1.0\r\n\r\n', token, 60_000)).toContain(token);
      // A port nothing listens on, and a VMI that does not exist: refused, in virt-api's words.
      const refused = await kvt('port-forward', '--stdio', 'vmi/web', '9');
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/^error: .*could not connect to port 9 of VMI default\/web at 10\.244\.0\.\d+: .*ECONNREFUSED/)]);
      const missing = await kvt('port-forward', '--stdio', 'vmi/nope', '22');
      expect([missing.code, missing.stderr]).toEqual([1, 'error: virtualmachineinstance.kubevirt.io "nope" not found\n']);
      // kvt ssh through the cluster: its ProxyCommand is kvt port-forward --stdio with the kubeconfig passed on.
      const sshOpts = ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
      const ssh = await until('kvt ssh --kubeconfig into the guest', () => kvt('ssh', 'root@vmi/web', ...sshOpts, '-c', 'echo "$(id -u) $(hostname)"'), (r) => r.code === 0, 180_000);
      expect(ssh).toMatchObject({ code: 0, stdout: '0 web\n' });
    } finally {
      await kubectl('delete', 'secret', 'web-ssh', '--ignore-not-found');
      await kubectl('delete', 'service', 'web', '--ignore-not-found');
      await kubectl('delete', 'vmi', 'web', '--ignore-not-found', '--timeout=180s');
    }
    await until('no QEMU of VMI web', () => qemuPids('web'), (p) => p.length === 0, 180_000);
  }, 600_000);

  /** The body of an HTTP GET, or '' when nothing answers yet. */
  function fetchText(url: string, timeoutMs = 5_000): Promise<string> {
    return new Promise((done) => {
      const req = httpGet(url, { timeout: timeoutMs }, (res) => {
        let body = '';
        res.on('data', (b: Buffer) => { body += b.toString(); });
        res.on('end', () => done(body.trim()));
        res.on('error', () => done(''));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => done(''));
    });
  }

  /** `kvt validate FILE --presets DIR -o json`: never throws. */
  function kvtValidate(file: string, presets: string): Promise<Result> {
    return tool(process.execPath, [join(REPO, 'bin/kvt.js'), 'validate', '--presets', presets, '-o', 'json', file]);
  }

  /** What admission decides about an object, without what differs by design: server-set metadata, random firmware ids. */
  function admittedView(value: unknown): unknown {
    const o = (Array.isArray((value as { items?: unknown }).items) ? (value as { items: unknown[] }).items[0] : value) as { metadata?: Record<string, unknown>; spec?: unknown };
    const scrub = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(scrub);
      if (typeof v !== 'object' || v === null) return v;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'uuid' || k === 'serial' ? '<random>' : scrub(x)]));
    };
    const meta = o.metadata ?? {};
    return { labels: meta['labels'], annotations: meta['annotations'], finalizers: meta['finalizers'], spec: scrub(o.spec) };
  }

  type Conditioned = { status?: { phase?: string; conditions?: { type: string; status: string }[] } };
  const paused = (v: Conditioned): boolean => v.status?.conditions?.some((c) => c.type === 'Paused' && c.status === 'True') === true;

  /** `kvt VERB ... --kubeconfig <admin>`: never throws. */
  function kvt(...args: string[]): Promise<Result> {
    return tool(process.execPath, [join(REPO, 'bin/kvt.js'), ...args, '--kubeconfig', CLUSTER_KUBECONFIG ?? '']);
  }

  /** Runs `kvt console NAME --kubeconfig` until its output shows `text`, then escapes with Ctrl-]; what it printed. */
  function kvtConsoleUntil(name: string, text: string, timeoutMs: number): Promise<string> {
    return new Promise((done, failed) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'console', name, '--kubeconfig', CLUSTER_KUBECONFIG ?? ''], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); failed(new Error(`no ${JSON.stringify(text)} on the console within ${timeoutMs} ms: ${out.slice(-2000)}\n${err}`)); }, timeoutMs);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes(text)) child.stdin.write(Buffer.from([0x1d]));
      });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0 && out.includes(text)) done(out);
        else failed(new Error(`kvt console exited ${String(code)}: ${err}\n${out.slice(-2000)}`));
      });
    });
  }

  /** Starts `kvt port-forward TARGET PORTS --kubeconfig` and waits for its "Forwarding from" line: the local port, and how to stop it. */
  function kvtPortForward(target: string, ports: string): Promise<{ port: number; stop: () => void; stderr: () => string }> {
    return new Promise((done, failed) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'port-forward', target, ports, '--kubeconfig', CLUSTER_KUBECONFIG ?? ''], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); failed(new Error(`kvt port-forward did not listen within 60 s: ${out}\n${err}`)); }, 60_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const port = /^Forwarding from 127\.0\.0\.1:(\d+) -> /m.exec(out)?.[1];
        if (port !== undefined) { clearTimeout(timer); done({ port: Number(port), stop: () => child.kill('SIGINT'), stderr: () => err }); }
      });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('exit', (code) => { clearTimeout(timer); failed(new Error(`kvt port-forward exited ${String(code)}: ${err}`)); });
    });
  }

  /** Runs `kvt port-forward --stdio TARGET PORT --kubeconfig`, writes `request` (stdin left open, as ssh does) until its output shows `text`; what it printed. */
  function kvtStdioUntil(target: string, port: string, request: string, text: string, timeoutMs: number): Promise<string> {
    return new Promise((done, failed) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/kvt.js'), 'port-forward', '--stdio', target, port, '--kubeconfig', CLUSTER_KUBECONFIG ?? ''], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); failed(new Error(`no ${JSON.stringify(text)} through --stdio within ${timeoutMs} ms: ${out.slice(-2000)}\n${err}`)); }, timeoutMs);
      child.stdin.write(request);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes(text)) { clearTimeout(timer); child.kill('SIGTERM'); done(out); }
      });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('exit', (code) => { clearTimeout(timer); if (!out.includes(text)) failed(new Error(`kvt port-forward --stdio exited ${String(code)}: ${err}\n${out.slice(-2000)}`)); });
    });
  }

  /** Creates `objects` through kubectl (JSON on its standard input). */
  function kubectlApply(objects: readonly object[]): Promise<Result> {
    return new Promise((done) => {
      const child = execFile(kubectlBin, ['apply', '-f', '-'], { env: env() }, (err, stdout, stderr) => done({ code: err === null ? 0 : 1, stdout, stderr }));
      child.stdin?.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    });
  }

  /** SIGKILLs a kubevirt pod's container (its process group, as a crashed container dies); the node agent restarts it. */
  async function killPod(name: string): Promise<void> {
    const pod = await json<{ metadata: { uid: string } }>('get', 'pod', '-n', 'kubevirt', name);
    const record = JSON.parse(await readFile(join(work, 'node-agent', 'pods', pod.metadata.uid, 'kubelet.pid.json'), 'utf8')) as { pid: number };
    process.kill(-record.pid, 'SIGKILL');
  }

  const guestVmi = (name: string): object => ({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 10,
      domain: {
        firmware: { kernelBoot: { kernelArgs: 'console=ttyS0 panic=-1', container: { image: 'localhost/demo-guest:latest', kernelPath: '/boot/vmlinuz', initrdPath: '/boot/initrd.img' } } },
        devices: {}, resources: { requests: { memory: '96Mi' } },
      },
    },
  });
  type Phased = { metadata: { name: string }; status?: { phase?: string } };
  const phases = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries((await json<Listed<Phased>>('get', 'vmi')).items.map((v) => [v.metadata.name, v.status?.phase]));

  it('virt-api serves its subresources (a lifecycle PUT, a portforward upgrade) only to the API server\'s front proxy, for users a SubjectAccessReview allows', async () => {
    const pods = await json<Listed<PodLike & { status?: { podIP?: string } }>>('get', 'pods', '-n', 'kubevirt', '-l', 'app.kubernetes.io/name=virt-api');
    const ip = pods.items.find((p) => ready(p))?.status?.podIP ?? '';
    const pki = join(dirname(CLUSTER_KUBECONFIG ?? ''), 'pki');
    const [cert, key] = await Promise.all([readFile(join(pki, 'front-proxy-client.crt')), readFile(join(pki, 'front-proxy-client.key'))]);
    const V1 = '/apis/subresources.kubevirt.io/v1/namespaces/default';
    const request = (method: string, path: string, headers: Record<string, string>, client?: { cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> => new Promise((done, failed) => {
      const call = httpsRequest(`https://${ip}:8443${path}`,
        { method, headers, rejectUnauthorized: false, ...client }, (res) => {
          let body = '';
          res.on('data', (b: Buffer) => { body += b.toString(); });
          res.on('end', () => done({ status: res.statusCode ?? 0, body }));
        });
      call.on('error', failed);
      call.end();
    });
    const put = (headers: Record<string, string>, client?: { cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> => request('PUT', `${V1}/virtualmachines/nope/start`, headers, client);
    // A websocket upgrade of a portforward: a refusal is an HTTP answer with its Status.
    const portForward = (headers: Record<string, string>, client: { cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> => request('GET', `${V1}/virtualmachineinstances/nope/portforward/22`, {
      ...headers, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'plain.kubevirt.io',
    }, client);
    // Straight to virt-api, without the API server's client certificate: whoever the headers name.
    expect((await put({ 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' })).status).toBe(401);
    // The front proxy vouches for jane, whom nothing allows yet: virt-api's SubjectAccessReview says no.
    const refused = await put({ 'X-Remote-User': 'jane', 'X-Remote-Group': 'system:authenticated' }, { cert, key });
    expect([refused.status, JSON.parse(refused.body).message]).toEqual([403, expect.stringContaining('User "jane" cannot update resource "virtualmachines/start"')]);
    const noForward = await portForward({ 'X-Remote-User': 'jane', 'X-Remote-Group': 'system:authenticated' }, { cert, key });
    expect([noForward.status, JSON.parse(noForward.body).message]).toEqual([403, expect.stringContaining('User "jane" cannot get resource "virtualmachineinstances/portforward"')]);
    // Kubernetes' edit role aggregates kubevirt.io:edit: bound to it, jane gets past authorization (and learns there is no VM nope).
    expect((await kubectl('create', 'rolebinding', 'jane-edit', '-n', 'default', '--clusterrole=edit', '--user=jane')).code).toBe(0);
    const allowed = await until('jane allowed', () => put({ 'X-Remote-User': 'jane', 'X-Remote-Group': 'system:authenticated' }, { cert, key }), (r) => r.status !== 403, 30_000);
    expect([allowed.status, JSON.parse(allowed.body).message]).toEqual([404, 'virtualmachine.kubevirt.io "nope" not found']);
    // The same role grants the portforward (verb get): past authorization to the lookup.
    const forwardAllowed = await portForward({ 'X-Remote-User': 'jane', 'X-Remote-Group': 'system:authenticated' }, { cert, key });
    expect([forwardAllowed.status, JSON.parse(forwardAllowed.body).message]).toEqual([404, 'virtualmachineinstance.kubevirt.io "nope" not found']);
    await kubectl('delete', 'rolebinding', 'jane-edit', '-n', 'default');
  }, 120_000);

  it('a SIGKILLed virt-controller leader is replaced: a VMI created afterwards still starts', async () => {
    const leaseOf = async (): Promise<string> => (await json<{ spec: { holderIdentity?: string } }>('get', 'lease', '-n', 'kubevirt', 'virt-controller')).spec.holderIdentity ?? '';
    const leader = await until('a virt-controller leader', leaseOf, (h) => h !== '', 60_000);
    await killPod(leader.split('_')[0] ?? '');
    // kubectl get vmi -w streams the new VMI's phases as they change.
    const watch = spawn(kubectlBin, ['get', 'vmi', '-w'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let watched = '';
    watch.stdout.on('data', (b: Buffer) => { watched += b.toString(); });
    expect((await kubectlApply([guestVmi('after-failover')])).code).toBe(0);
    const running = await until('VMI after-failover Running', phases, (p) => p['after-failover'] === 'Running' || p['after-failover'] === 'Failed', 240_000);
    expect(running['after-failover']).toBe('Running');
    await until('the watch to show Running', async () => watched, (w) => /^after-failover\s+\S+\s+Running/m.test(w), 30_000);
    watch.kill();
    const seen = watched.split('\n').filter((l) => l.startsWith('after-failover')).map((l) => l.split(/\s+/)[2]);
    expect(seen.at(-1)).toBe('Running');
    expect(seen.some((phase) => phase !== 'Running')).toBe(true);
    expect(await leaseOf()).not.toBe(leader);
    await kubectl('delete', 'vmi', 'after-failover', '--timeout=120s');
  }, 360_000);

  it('a SIGKILLed virt-handler comes back to the same guests: same QEMU processes, no VMI failed', async () => {
    expect((await kubectlApply([guestVmi('keep-a'), guestVmi('keep-b')])).code).toBe(0);
    await until('both guests Running', phases, (p) => p['keep-a'] === 'Running' && p['keep-b'] === 'Running', 240_000);
    const before = [...(await qemuPids('keep-a')), ...(await qemuPids('keep-b'))].sort();
    expect(before).toHaveLength(2);
    type HandlerPod = PodLike & { status?: { containerStatuses?: { restartCount?: number }[] } };
    const [handler] = (await json<Listed<HandlerPod>>('get', 'pods', '-n', 'kubevirt', '-l', 'app.kubernetes.io/name=virt-handler')).items;
    await killPod(handler?.metadata.name ?? '');
    await until('virt-handler restarted and Ready', () => json<HandlerPod>('get', 'pod', '-n', 'kubevirt', handler?.metadata.name ?? ''),
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && ready(p), 120_000);
    // The restarted handler re-adopts its launchers; give it a few heartbeats to misjudge them, if it would.
    await new Promise((r) => setTimeout(r, 10_000));
    expect([...(await qemuPids('keep-a')), ...(await qemuPids('keep-b'))].sort()).toEqual(before);
    const after = await phases();
    expect([after['keep-a'], after['keep-b']]).toEqual(['Running', 'Running']);
    await kubectl('delete', 'vmi', 'keep-a', 'keep-b', '--timeout=120s');
    await until('no guest left', async () => [...(await qemuPids('keep-a')), ...(await qemuPids('keep-b'))], (p) => p.length === 0, 120_000);
  }, 480_000);

  it('a crashed launcher fails its VMI; its pod turns Failed only once the node agent removed its sandbox, and deleting leaves nothing', async () => {
    expect((await kubectlApply([guestVmi('crash')])).code).toBe(0);
    await until('VMI crash Running', phases, (p) => p['crash'] === 'Running' || p['crash'] === 'Failed', 240_000);
    type LauncherPod = { metadata: { name: string; uid: string }; status?: { phase?: string; podIP?: string } };
    const [pod] = (await json<Listed<LauncherPod>>('get', 'pods', '-l', `${Labels.app}=${LabelValues.virtLauncher}`)).items
      .filter((p) => p.metadata.name.startsWith('virt-launcher-crash-'));
    const uid = pod?.metadata.uid ?? '';
    const netns = sandboxNetns(uid);
    expect((await run('ip', ['netns', 'list'])).stdout).toContain(netns);
    const record = JSON.parse(await readFile(join(work, 'node-agent', 'pods', uid, 'kubelet.pid.json'), 'utf8')) as { pid: number };
    process.kill(-record.pid, 'SIGKILL');
    // From the moment the pod is terminal the API server deletes it at once: its sandbox must be gone by then.
    const failed = await until('the launcher pod Failed', () => json<LauncherPod>('get', 'pod', pod?.metadata.name ?? '').catch((): LauncherPod => ({ metadata: { name: '', uid: '' } })),
      (p) => p.status?.phase === 'Failed' || p.metadata.name === '', 120_000);
    if (failed.metadata.name !== '') expect(failed.status?.podIP).toBe(pod?.status?.podIP);
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(netns);
    await until('VMI crash Failed', phases, (p) => p['crash'] === 'Failed', 120_000);
    await kubectl('delete', 'vmi', 'crash', '--timeout=120s');
    await until('no pod, no QEMU, no pod files of VMI crash', async () => [
      (await json<Listed<LauncherPod>>('get', 'pods')).items.filter((p) => p.metadata.uid === uid).length,
      (await qemuPids('crash')).length,
      (await readdir(join(work, 'node-agent', 'pods'))).filter((d) => d === uid).length,
    ], (n) => n.every((x) => x === 0), 120_000);
  }, 480_000);

  it('virt-handler may change only its own Node: RBAC grants nodes patch, the install\'s admission policy holds it to the node of its pod', async () => {
    const server = (await kubectl('config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}')).stdout;
    const caData = (await kubectl('config', 'view', '--raw', '--minify', '--flatten', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}')).stdout;
    const caFile = join(work, 'cluster-ca.crt');
    await writeFile(caFile, Buffer.from(caData, 'base64'));
    const [handler] = (await json<Listed<PodLike>>('get', 'pods', '-n', 'kubevirt', '-l', 'app.kubernetes.io/name=virt-handler')).items;
    const handlerPod = handler?.metadata.name ?? '';
    const ownNode = (await kubectl('get', 'pod', '-n', 'kubevirt', handlerPod, '-o', 'jsonpath={.spec.nodeName}')).stdout;
    expect(ownNode).not.toBe('');
    // Another node, which never runs anything (tainted, no kubelet behind it).
    expect((await kubectlApply([{ apiVersion: 'v1', kind: 'Node', metadata: { name: FAKE_NODE }, spec: { taints: [{ key: 'kubevirt-ts.test/fake', effect: 'NoSchedule' }] } }])).code).toBe(0);
    const tokenOf = async (...bound: string[]): Promise<string> => (await kubectl('create', 'token', 'virt-handler', '-n', 'kubevirt', ...bound)).stdout.trim();
    const podToken = await tokenOf('--bound-object-kind', 'Pod', '--bound-object-name', handlerPod);
    const looseToken = await tokenOf();
    const patchAs = (token: string, node: string): Promise<Result> =>
      tool(kubectlBin, ['--kubeconfig', '/dev/null', '--server', server, '--certificate-authority', caFile, '--token', token, 'patch', 'node', node, '--type', 'merge', '-p', '{"metadata":{"annotations":{"kubevirt-ts.test/touched":"yes"}}}']);
    expect((await patchAs(podToken, ownNode)).code).toBe(0);
    const other = await patchAs(podToken, FAKE_NODE);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('virt-handler may change only the Node its pod runs on');
    const unbound = await patchAs(looseToken, ownNode);
    expect(unbound.code).not.toBe(0);
    expect(unbound.stderr).toContain('virt-handler may change only the Node its pod runs on');
    const made = join(work, 'handler-made-node.json');
    await writeFile(made, JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kvt-handler-made' } }));
    const create = await tool(kubectlBin, ['--kubeconfig', '/dev/null', '--server', server, '--certificate-authority', caFile, '--token', podToken, 'create', '-f', made]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toMatch(/forbidden/);
    await kubectl('delete', 'node', FAKE_NODE);
  }, 120_000);

  it('kubectl shows our printer columns and descriptions, and scales a replica set through the scale subresource', async () => {
    const both = await kubectl('get', 'vm,vmi,vmirs');
    expect(both.code).toBe(0);
    const explained = await kubectl('explain', 'vm.spec.runStrategy');
    expect(explained.stdout).toMatch(/FIELD: runStrategy/);
    const pool = `pool-${randomBytes(3).toString('hex')}`;
    const rs = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: { name: pool, namespace: 'default' },
      spec: { replicas: 0, selector: { matchLabels: { pool } }, template: { metadata: { labels: { pool } }, spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
    };
    const created = await new Promise<Result>((done) => {
      const child = execFile(kubectlBin, ['apply', '-f', '-'], { env: env() }, (err, stdout, stderr) => done({ code: err === null ? 0 : 1, stdout, stderr }));
      child.stdin?.end(JSON.stringify(rs));
    });
    expect(created.code).toBe(0);
    const scaled = await kubectl('scale', 'vmirs', pool, '--replicas', '3');
    expect(scaled.stdout).toContain('scaled');
    expect((await json<{ spec: { replicas: number } }>('get', 'vmirs', pool)).spec.replicas).toBe(3);
    await until('3 VMIs of the pool', async () => (await json<Listed<unknown>>('get', 'vmi', '-l', `pool=${pool}`)).items.length, (n) => n === 3, 120_000);
    await kubectl('scale', 'vmirs', pool, '--replicas', '0');
    await until('no VMI of the pool', async () => (await json<Listed<unknown>>('get', 'vmi', '-l', `pool=${pool}`)).items.length, (n) => n === 0, 180_000);
    const columns = await kubectl('get', 'vmirs', pool);
    expect(columns.stdout.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
    await kubectl('delete', 'vmirs', pool, '--wait=true', '--timeout=120s');
  }, 300_000);
});
