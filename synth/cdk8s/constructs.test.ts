import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { afterEach, describe, expect, it } from 'vitest';
import { checkObject } from '../../cli/check.js';
import { cliAdmissionContext } from '../../cli/commands/validate.js';
import { AnnotationPrefixes, type VirtualMachineInstance as ApiVmi } from '../../crd-gen/index.js';
import { renderLauncherPod } from '../../reconcilers/vmi/launcher-pod.js';
import { launched } from '../../test/builders/vmi.js';
import { admit } from '../../webhooks/admission.js';
import { KubevirtInstall } from '../install/install.js';
import { generateServingPki } from '../install/pki.js';
import { synthAdmissionContext } from '../vm/admission.js';
import * as kv from './index.js';
import * as l1 from './l1.js';
import { quantityOf, secondsOf } from './values.js';

type Obj = Record<string, unknown>;

// Never written (the in-memory tests use synthYaml/toJson); without it Testing.app() leaves a temp dir behind per app.
const NO_OUTDIR = '/nonexistent-never-written';

/** The sample, in `app`: every object it declares, by name. */
function sample(app: App) {
  const chart = new Chart(app, 'vms', { namespace: 'vms' });
  const small = new kv.VirtualMachineInstancePreset(chart, 'small', { selector: { 'kubevirt.io/flavor': 'small' }, cpu: { cores: 1 }, memory: Size.mebibytes(256) });
  const medium = new kv.VirtualMachineInstancetype(chart, 'medium', { cpu: 2, memory: Size.gibibytes(1) });
  const prefs = new kv.VirtualMachinePreference(chart, 'virtio', { diskBus: kv.DiskBus.VIRTIO });
  const keys = new kplus.Secret(chart, 'keys', { stringData: { key1: 'ssh-ed25519 AAAAC3Nza user@host' } });
  const data = new kplus.PersistentVolumeClaim(chart, 'data', { storage: Size.gibibytes(10) });
  const web = new kv.VirtualMachine(chart, 'web', {
    runStrategy: kv.RunStrategy.ALWAYS,
    preset: small,
    disks: [
      kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41', { bootOrder: 1 }),
      kv.Disk.empty('scratch', Size.gibibytes(2)),
      kv.Disk.fromPersistentVolumeClaim('data', data),
    ],
    cloudInit: kv.CloudInit.noCloud({ userData: '#cloud-config\nhostname: web\n' }),
    sshKeys: [keys],
    interfaces: [kv.Interface.masquerade('default', { ports: [80, 443] })],
    terminationGracePeriod: Duration.seconds(30),
  });
  web.addDisk(kv.Disk.ephemeral('tmp', data));
  const service = web.exposeViaService({ ports: [{ port: 80 }] });
  const db = new kv.VirtualMachine(chart, 'db', { instancetype: medium, preference: prefs, disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/debian:12')] });
  const pool = new kv.VirtualMachineInstanceReplicaSet(chart, 'pool', {
    replicas: 3,
    template: { preset: small, disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41')] },
  });
  return { chart, small, medium, prefs, keys, data, web, service, db, pool };
}

/** The VMI virt-controller creates for `template` (a VM's or replica set's), as admission leaves it. */
function startedVmi(app: App, name: string, template: { metadata?: { labels?: Record<string, string> }; spec?: unknown }): ApiVmi {
  const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'vms', labels: { ...template.metadata?.labels } }, spec: structuredClone(template.spec) };
  const result = admit(vmi, undefined, 'CREATE', synthAdmissionContext(app));
  if (!result.allowed) throw new Error(`the VMI is refused: ${result.status.message}`);
  return result.object as unknown as ApiVmi;
}

describe('the sample, as KubeVirt expects it', () => {
  it('labels the VM\'s template so the preset matches: the VMI it starts gets the preset\'s CPU and memory', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const { web, small } = sample(app);
    expect(web.spec.template.metadata?.labels).toEqual({ 'kubevirt.io/flavor': 'small' });
    const vmi = startedVmi(app, web.name, web.spec.template);
    expect(vmi.metadata.annotations?.[`${AnnotationPrefixes.presetApplied}${small.name}`]).toBe('kubevirt.io/v1');
    expect(vmi.spec.domain.cpu?.cores).toBe(1);
    expect(vmi.spec.domain.resources?.requests?.['memory']).toBe('256Mi');
  });

  it('pairs every disk with its volume, names the Secret and the claim, forwards the ports', () => {
    const { web, keys, data } = sample(Testing.app({ outdir: NO_OUTDIR }));
    expect(web.toJson()).toMatchObject({
      metadata: { namespace: 'vms' },
      spec: {
        runStrategy: 'Always',
        template: {
          spec: {
            terminationGracePeriodSeconds: 30,
            accessCredentials: [{ sshPublicKey: { source: { secret: { secretName: keys.name } }, propagationMethod: { noCloud: {} } } }],
            domain: {
              devices: {
                disks: [{ name: 'root', disk: {}, bootOrder: 1 }, { name: 'scratch', disk: {} }, { name: 'data', disk: {} }, { name: 'cloudinitdisk', disk: {} }, { name: 'tmp', disk: {} }],
                interfaces: [{ name: 'default', masquerade: {}, ports: [{ port: 80 }, { port: 443 }] }],
              },
            },
            networks: [{ name: 'default', pod: {} }],
            volumes: [
              { name: 'root', containerDisk: { image: 'quay.io/containerdisks/fedora:41' } },
              { name: 'scratch', emptyDisk: { capacity: '2Gi' } },
              { name: 'data', persistentVolumeClaim: { claimName: data.name } },
              { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#cloud-config\nhostname: web\n' } },
              { name: 'tmp', ephemeral: { persistentVolumeClaim: { claimName: data.name } } },
            ],
          },
        },
      },
    });
  });

  it('exposes the VM through a kplus Service whose selector matches the launcher pod of its VMI', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const { web, service } = sample(app);
    expect(service).toBeInstanceOf(kplus.Service);
    const json = Testing.synth(Chart.of(web)).find((o: Obj) => o['kind'] === 'Service') as { spec: { selector: Record<string, string>; ports: unknown[] } };
    expect(json.spec.ports).toEqual([{ port: 80 }]);
    const pod = renderLauncherPod(launched(startedVmi(app, web.name, web.spec.template)), { launcherImage: 'localhost/kvt:dev' });
    expect(pod.metadata.labels).toMatchObject(json.spec.selector);
    expect(json.spec.selector).toEqual({ 'kubevirt.io': 'virt-launcher', 'vm.kubevirt.io/name': web.name });
  });

  it('names the instancetype and the preference by name and kind', () => {
    const { db, medium, prefs } = sample(Testing.app({ outdir: NO_OUTDIR }));
    expect(db.spec.instancetype).toEqual({ name: medium.name, kind: 'VirtualMachineInstancetype' });
    expect(db.spec.preference).toEqual({ name: prefs.name, kind: 'VirtualMachinePreference' });
    expect(db.spec.runStrategy).toBe('Halted');
    expect(medium.toJson()).toMatchObject({ apiVersion: 'instancetype.kubevirt.io/v1beta1', spec: { cpu: { guest: 2 }, memory: { guest: '1Gi' } } });
    expect(prefs.toJson()).toMatchObject({ apiVersion: 'instancetype.kubevirt.io/v1beta1', spec: { devices: { preferredDiskBus: 'virtio' } } });
  });

  it('selects the replica set\'s instances by labels its template gives them, the preset\'s too', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const { pool, small } = sample(app);
    const labels = pool.spec.template.metadata?.labels ?? {};
    expect(labels).toMatchObject(pool.spec.selector.matchLabels ?? { missing: 'selector' });
    expect(labels).toMatchObject(small.matchLabels);
    expect(pool.spec.replicas).toBe(3);
    const vmi = startedVmi(app, 'pool-abcde', pool.spec.template);
    expect(vmi.metadata.annotations?.[`${AnnotationPrefixes.presetApplied}${small.name}`]).toBe('kubevirt.io/v1');
  });

  it('synthesizes with the install into manifests kvt validate accepts, object by object', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const install = new KubevirtInstall(app, 'kubevirt', { pki: generateServingPki(['virt-api.kubevirt.svc'], 1) });
    const { chart } = sample(app);
    const objects = [...Testing.synth(install.crds), ...Testing.synth(install.components), ...Testing.synth(chart)] as Obj[];
    const ctx = cliAdmissionContext(objects);
    const ours = objects.map((object, index) => checkObject({ source: 'manifests', index, object }, ctx)).filter((v) => v.scope === 'ours');
    expect(ours).toHaveLength(6);
    expect(ours.flatMap((v) => v.problems)).toEqual([]);
  });
});

describe('synth fails on an invalid VM, naming the construct path and the field', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The message `app.synth()` fails with when `web` gets `props` (and its chart the sample's other objects). */
  function synthError(props: Partial<kv.VirtualMachineProps>): string {
    const outdir = mkdtempSync(join(tmpdir(), 'kvt-cdk8s-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const chart = new Chart(app, 'vms', { namespace: 'vms' });
    const small = new kv.VirtualMachineInstancePreset(chart, 'small', { cpu: { cores: 1 }, memory: Size.mebibytes(256) });
    const medium = new kv.VirtualMachineInstancetype(chart, 'medium', { cpu: 2, memory: Size.gibibytes(1) });
    new kv.VirtualMachine(chart, 'web', { preset: small, disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41')], ...props, ...('instancetype' in props ? { instancetype: medium } : {}) });
    try {
      app.synth();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('synth succeeded');
  }

  it('passes the VM these tests start from', () => {
    const app = new App({ outdir: NO_OUTDIR });
    const chart = new Chart(app, 'vms', { namespace: 'vms' });
    new kv.VirtualMachine(chart, 'web', { preset: new kv.VirtualMachineInstancePreset(chart, 'small', { memory: Size.mebibytes(256) }), disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41')] });
    expect(() => app.synthYaml()).not.toThrow();
  });

  it('two disks of one name', () => {
    const message = synthError({ disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41'), kv.Disk.empty('root', Size.gibibytes(1))] });
    expect(message).toMatch(/^Validation failed with the following errors:\n/);
    expect(message).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: spec\.template\.spec\.domain\.devices\.disks\[1\]\.name: spec\.template\.spec\.domain\.devices\.disks\[1\] and spec\.template\.spec\.domain\.devices\.disks\[0\] must not share the name "root"/m);
  });

  it('a preset together with an instancetype', () => {
    const message = synthError({ instancetype: { name: 'placeholder', kind: 'VirtualMachineInstancetype' } });
    expect(message).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: preset and instancetype: give one or the other/m);
  });

  it('a port out of range', () => {
    const message = synthError({ interfaces: [kv.Interface.masquerade('default', { ports: [80, 70000] })] });
    expect(message).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: spec\.template\.spec\.domain\.devices\.interfaces\[0\]\.ports\[1\]: spec\.template\.spec\.domain\.devices\.interfaces\[0\]\.ports\[1\]\.port 70000 must be in the range 0 < x < 65536$/m);
  });

  it('a boot order of 0', () => {
    const message = synthError({ disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41', { bootOrder: 0 })] });
    expect(message).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: spec\.template\.spec\.domain\.devices\.disks\[0\]\.bootOrder: must be greater than 0 when given, not 0$/m);
  });

  it('SSH keys without cloud-init to carry them', () => {
    const keys = kplus.Secret.fromSecretName(new Chart(new App({ outdir: NO_OUTDIR }), 'other'), 'keys', 'my-keys');
    const message = synthError({ sshKeys: [keys] });
    expect(message).toMatch(/^ {2}\[vms\/web\] VirtualMachine\/vms-web-c8[0-9a-f]{6}: spec\.template\.spec\.accessCredentials\[0\]\.sshPublicKey\.propagationMethod: .*\.noCloud needs a cloudInitNoCloud volume/m);
  });

  it('prints each problem as the line kvt validate prints for the synthesized object', () => {
    const app = new App({ outdir: NO_OUTDIR });
    const chart = new Chart(app, 'vms', { namespace: 'vms' });
    new kv.VirtualMachine(chart, 'web', {
      memory: Size.mebibytes(128),
      disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41', { bootOrder: 0 }), kv.Disk.empty('root', Size.gibibytes(1))],
      interfaces: [kv.Interface.masquerade('default', { ports: [0] })],
    });
    // The objects as synth writes them, without its validation (Testing.synth validates).
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Obj);
    const problems = objects.flatMap((object, index) => checkObject({ source: 'manifests', index, object }, cliAdmissionContext(objects)).problems);
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(() => app.synthYaml()).toThrow(['Validation failed with the following errors:', ...problems.map((p) => `  [vms/web] ${p}`)].join('\n'));
  });

  it('a CPU of its own with the app\'s instancetype (found only with the instancetype in the app)', () => {
    const build = (withInstancetype: boolean): App => {
      const app = new App({ outdir: NO_OUTDIR });
      const types = new Chart(app, 'types');
      const tiny = withInstancetype ? new kv.VirtualMachineClusterInstancetype(types, 'tiny', { metadata: { name: 'tiny' }, cpu: 1, memory: Size.mebibytes(64) }) : { name: 'tiny', kind: 'VirtualMachineClusterInstancetype' };
      new kv.VirtualMachine(new Chart(app, 'vms', { namespace: 'vms' }), 'typed', { instancetype: tiny, cpu: { sockets: 2 } });
      return app;
    };
    expect(() => build(false).synthYaml()).not.toThrow();
    expect(() => build(true).synthYaml()).toThrow(/\[vms\/typed\] VirtualMachine\/vms-typed-c8[0-9a-f]{6}: .*spec\.template\.spec\.domain\.cpu\.sockets conflicts/);
  });
});

describe('props', () => {
  const chart = (): Chart => new Chart(Testing.app({ outdir: NO_OUTDIR }), 'c', { namespace: 'ns' });

  it('writes sizes in the largest whole binary unit and durations in whole seconds, naming the prop otherwise', () => {
    expect(quantityOf(Size.gibibytes(1), 'memory')).toBe('1Gi');
    expect(quantityOf(Size.mebibytes(1536), 'memory')).toBe('1536Mi');
    expect(quantityOf(Size.tebibytes(2), 'memory')).toBe('2Ti');
    expect(quantityOf(Size.kibibytes(0.5), 'memory')).toBe('512');
    expect(quantityOf(Size.kibibytes(0), 'memory')).toBe('0');
    expect(() => quantityOf(Size.kibibytes(0.0001), 'capacity')).toThrow(/^capacity: .* not a whole number of bytes/);
    expect(secondsOf(Duration.minutes(2), 't')).toBe(120);
    expect(() => new kv.VirtualMachine(chart(), 'vm', { terminationGracePeriod: Duration.millis(1500) })).toThrow('terminationGracePeriod: 1.5 seconds is not a whole number of seconds');
  });

  it('gives a preset the default selector of its name', () => {
    const preset = new kv.VirtualMachineInstancePreset(chart(), 'p', { memory: Size.mebibytes(64) });
    expect(preset.matchLabels).toEqual({ 'kubevirt.io/flavor': preset.name });
    expect(preset.spec.selector.matchLabels).toEqual({ 'kubevirt.io/flavor': preset.name });
  });

  it('writes the cluster kinds without the chart\'s namespace', () => {
    const c = chart();
    const type = new kv.VirtualMachineClusterInstancetype(c, 'it', { cpu: 1, memory: Size.mebibytes(64) });
    const pref = new kv.VirtualMachineClusterPreference(c, 'pref', { bootloader: kv.Bootloader.EFI, machineType: 'q35' });
    expect((type.toJson() as { metadata: Obj }).metadata['namespace']).toBeUndefined();
    expect(pref.toJson()).toMatchObject({ kind: 'VirtualMachineClusterPreference', spec: { firmware: { preferredUseEfi: true }, machine: { preferredMachineType: 'q35' } } });
    expect((pref.toJson() as { metadata: Obj }).metadata['namespace']).toBeUndefined();
    const vm = new kv.VirtualMachine(c, 'vm', { instancetype: type, preference: pref });
    expect(vm.spec.instancetype).toEqual({ name: type.name, kind: 'VirtualMachineClusterInstancetype' });
    expect(vm.spec.preference).toEqual({ name: pref.name, kind: 'VirtualMachineClusterPreference' });
  });

  it('maps the scheduling, firmware and guest props onto the VMI spec, which admission accepts', () => {
    const c = chart();
    const userData = new kplus.Secret(c, 'ud', { stringData: { userdata: '#cloud-config\n' } });
    const keys = new kplus.Secret(c, 'keys', { stringData: { k: 'ssh-ed25519 AAAA u@h' } });
    const settings = new kplus.ConfigMap(c, 'settings', { data: { a: 'b' } });
    const vmi = new kv.VirtualMachineInstance(c, 'vmi', {
      labels: { app: 'db' },
      disks: [kv.Disk.fromSecret('creds', keys, { serial: 'CREDS', readOnly: true, bus: kv.DiskBus.VIRTIO }), kv.Disk.fromConfigMap('settings', settings, { bus: kv.DiskBus.SATA })],
      cloudInit: kv.CloudInit.configDrive({ userDataSecret: userData }),
      sshKeys: [keys],
      interfaces: [kv.Interface.bridge('default', { ports: [{ port: 53, protocol: kv.Protocol.UDP, name: 'dns' }] })],
      cpu: { sockets: 2, cores: 1, threads: 1 },
      memory: Size.mebibytes(512),
      resources: { cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(2) }, memory: { request: Size.mebibytes(600) } },
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
      tolerations: [{ key: 'dedicated', operator: kv.TolerationOperator.EQUAL, value: 'vms', effect: kplus.TaintEffect.NO_EXECUTE, tolerationSeconds: Duration.minutes(5) }],
      firmware: { bootloader: kv.Bootloader.EFI, secureBoot: true, serial: 'S1' },
      hostname: 'db-1',
      subdomain: 'dbs',
    });
    expect(vmi.toJson()).toMatchObject({
      metadata: { labels: { app: 'db' } },
      spec: {
        hostname: 'db-1',
        subdomain: 'dbs',
        nodeSelector: { 'kubernetes.io/arch': 'amd64' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'vms', effect: 'NoExecute', tolerationSeconds: 300 }],
        accessCredentials: [{ sshPublicKey: { source: { secret: { secretName: keys.name } }, propagationMethod: { configDrive: {} } } }],
        domain: {
          cpu: { sockets: 2, cores: 1, threads: 1 },
          memory: { guest: '512Mi' },
          resources: { requests: { cpu: '500m', memory: '600Mi' }, limits: { cpu: '2' } },
          firmware: { bootloader: { efi: { secureBoot: true } }, serial: 'S1' },
          features: { smm: { enabled: true } },
          devices: {
            disks: [{ name: 'creds', disk: { bus: 'virtio', readonly: true }, serial: 'CREDS' }, { name: 'settings', disk: { bus: 'sata' } }, { name: 'cloudinitdisk', disk: {} }],
            interfaces: [{ name: 'default', bridge: {}, ports: [{ port: 53, protocol: 'UDP', name: 'dns' }] }],
          },
        },
        volumes: [
          { name: 'creds', secret: { secretName: keys.name } },
          { name: 'settings', configMap: { name: settings.name } },
          { name: 'cloudinitdisk', cloudInitConfigDrive: { secretRef: { name: userData.name } } },
        ],
      },
    });
    expect(Chart.of(vmi).node.validate()).toEqual([]);
    expect(vmi.node.validate()).toEqual([]);
  });

  it('adds disks and interfaces after construction; exposing takes the interfaces\' ports and needs some', () => {
    const c = chart();
    const vmi = new kv.VirtualMachineInstance(c, 'vmi', { memory: Size.mebibytes(128) });
    expect(() => vmi.exposeViaService()).toThrow('c/vmi: exposeViaService: no ports: pass options.ports, or give an interface its ports');
    vmi.addDisk(kv.Disk.fromContainerImage('root', 'example/disk:1', { imagePullPolicy: kv.ImagePullPolicy.IF_NOT_PRESENT }));
    vmi.addInterface(kv.Interface.masquerade('default', { ports: [{ port: 22 }, { port: 5353, protocol: kv.Protocol.UDP }] }));
    const service = vmi.exposeViaService({ name: 'ssh', serviceType: kplus.ServiceType.NODE_PORT });
    expect(vmi.spec.volumes).toEqual([{ name: 'root', containerDisk: { image: 'example/disk:1', imagePullPolicy: 'IfNotPresent' } }]);
    expect(service.name).toBe('ssh');
    const json = Testing.synth(c).find((o: Obj) => o['kind'] === 'Service') as { spec: Obj };
    expect(json.spec).toMatchObject({ type: 'NodePort', ports: [{ port: 22 }, { port: 5353, protocol: 'UDP' }], selector: { 'kubevirt.io': 'virt-launcher', 'vm.kubevirt.io/name': vmi.name } });
    expect(vmi.node.validate()).toEqual([]);
  });

  it('exposes a replica set over its instances\' launcher pods', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const c = new Chart(app, 'c', { namespace: 'vms' });
    const rs = new kv.VirtualMachineInstanceReplicaSet(c, 'rs', { template: { memory: Size.mebibytes(128), interfaces: [kv.Interface.masquerade('default', { ports: [8080] })] } });
    rs.exposeViaService();
    const json = Testing.synth(c).find((o: Obj) => o['kind'] === 'Service') as { spec: { selector: Record<string, string> } };
    const pod = renderLauncherPod(launched(startedVmi(app, 'rs-x1y2z', rs.spec.template)), { launcherImage: 'localhost/kvt:dev' });
    expect(pod.metadata.labels).toMatchObject(json.spec.selector);
    expect(json.spec.selector['cdk8s.io/metadata.addr']).toBe(rs.node.addr);
  });

  it('keeps spec as the escape hatch: what is edited there is written and admitted', () => {
    const app = new App({ outdir: NO_OUTDIR });
    const c = new Chart(app, 'c', { namespace: 'ns' });
    const vm = new kv.VirtualMachine(c, 'vm', { memory: Size.mebibytes(128) });
    vm.spec.template.spec!.domain.clock = { timezone: 'Europe/Paris' };
    expect(vm.toJson()).toMatchObject({ spec: { template: { spec: { domain: { clock: { timezone: 'Europe/Paris' } } } } } });
    expect(() => app.synthYaml()).not.toThrow();
    vm.spec.template.spec!.domain.clock = { timezone: 'not a zone!' };
    expect(() => app.synthYaml()).toThrow(/\[c\/vm\] VirtualMachine\/c-vm-c8[0-9a-f]{6}: spec\.template\.spec\.domain\.clock/);
  });

  it('does not change the arrays it was given', () => {
    const disks = [kv.Disk.empty('a', Size.gibibytes(1))];
    const vm = new kv.VirtualMachine(chart(), 'vm', { disks });
    vm.addDisk(kv.Disk.empty('b', Size.gibibytes(1)));
    expect(disks).toHaveLength(1);
    expect(vm.spec.template.spec?.domain.devices.disks?.map((d) => d.name)).toEqual(['a', 'b']);
  });

  it('leaves the generated L1 classes for what the props do not cover', () => {
    const c = chart();
    const raw = new l1.VirtualMachine(c, 'raw', { spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, memory: { guest: '64Mi' } } } } } });
    expect(raw.toJson()).toMatchObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { namespace: 'ns' } });
  });
});
