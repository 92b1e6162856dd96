import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { checkObject } from '../../cli/check.js';
import { cliAdmissionContext } from '../../cli/commands/validate.js';
import { ExamplesChart } from '../../examples/cdk8s/app.js';
import { KubevirtInstall } from '../install/install.js';
import { generateServingPki } from '../install/pki.js';
import { VirtualMachine, VirtualMachineInstance, VirtualMachineInstancePreset, VirtualMachineClusterInstancetype } from './constructs.js';

// Never written (the tests synth in memory); without it Testing.app() leaves a temp dir behind per app.
const NO_OUTDIR = '/nonexistent-never-written';

type Obj = Readonly<Record<string, unknown>>;

function chart(): Chart {
  return new Chart(Testing.app({ outdir: NO_OUTDIR }), 'test', { namespace: 'default' });
}

describe('example app', () => {
  it('synthesizes the same objects as the snapshot', () => {
    const objects = Testing.synth(new ExamplesChart(Testing.app({ outdir: NO_OUTDIR }), 'examples'));
    expect(objects.map((o: Obj) => `${String(o['kind'])}/${String((o['metadata'] as Obj)['name'])}`)).toEqual([
      'VirtualMachineInstancePreset/small', 'VirtualMachine/vm-cloudinit', 'VirtualMachineInstancetype/medium', 'VirtualMachine/vm-medium', 'VirtualMachineInstanceReplicaSet/cirros',
    ]);
    expect(objects).toMatchSnapshot();
  });

  it('synthesizes with the install into manifests kvt validate accepts, object by object', () => {
    const app = Testing.app({ outdir: NO_OUTDIR });
    const pki = generateServingPki(['virt-api.kubevirt.svc'], 1);
    const install = new KubevirtInstall(app, 'kubevirt', { pki });
    const examples = new ExamplesChart(app, 'examples');
    const objects = [...Testing.synth(install.crds), ...Testing.synth(install.components), ...Testing.synth(examples)] as Record<string, unknown>[];
    const ctx = cliAdmissionContext(objects);
    const verdicts = objects.map((object, index) => checkObject({ source: 'manifests', index, object }, ctx));
    const ours = verdicts.filter((v) => v.scope === 'ours');
    expect(ours).toHaveLength(5);
    expect(ours.flatMap((v) => v.problems)).toEqual([]);
  });
});

describe('admission at synth', () => {
  it('fails synth of an invalid VM, naming the field', () => {
    const app = new App({ outdir: NO_OUTDIR });
    const c = new Chart(app, 'bad', { namespace: 'default' });
    const vm = new VirtualMachine(c, 'Vm', { metadata: { name: 'broken' } }).addContainerDisk('root', 'example/disk:1');
    // A disk without a volume behind it.
    const spec = vm.toJson() as { spec: { template: { spec: { domain: { devices: { disks: unknown[] } } } } } };
    expect(spec.spec.template.spec.domain.devices.disks).toHaveLength(1);
    new VirtualMachineInstance(c, 'Vmi', { metadata: { name: 'nodisk-volume' }, spec: { domain: { devices: { disks: [{ name: 'missing' }] } } } });
    expect(() => app.synthYaml()).toThrow(/VirtualMachineInstance\/nodisk-volume: spec\.domain\.devices\.disks\[0\]\.name/);
  });

  it('refuses a VM whose memory request is not a quantity, naming the template path', () => {
    const app = new App({ outdir: NO_OUTDIR });
    const c = new Chart(app, 'bad', { namespace: 'default' });
    new VirtualMachine(c, 'Vm', {
      metadata: { name: 'bad-memory' },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, resources: { requests: { memory: 'lots' } } } } } },
    });
    expect(() => app.synthYaml()).toThrow(/VirtualMachine\/bad-memory: .*spec\.template\.spec\.domain\.resources\.requests\.memory/);
  });

  it('applies the instancetype a VM names from the app\'s own objects (a conflict is only found with it)', () => {
    const build = (withInstancetype: boolean): App => {
      const app = new App({ outdir: NO_OUTDIR });
      if (withInstancetype) new VirtualMachineClusterInstancetype(new Chart(app, 'types'), 'It', { metadata: { name: 'tiny' }, spec: { cpu: { guest: 1 }, memory: { guest: '64Mi' } } });
      new VirtualMachine(new Chart(app, 'vms', { namespace: 'default' }), 'Vm', {
        metadata: { name: 'typed' },
        spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {}, cpu: { sockets: 2 } } } } },
      }).useInstancetype({ name: 'tiny', kind: 'VirtualMachineClusterInstancetype' });
      return app;
    };
    // KubeVirt lets a VM name a missing instancetype; with it present, the VM's own CPU conflicts.
    expect(() => build(false).synthYaml()).not.toThrow();
    expect(() => build(true).synthYaml()).toThrow(/VirtualMachine\/typed: .*spec\.template\.spec\.domain\.cpu\.sockets conflicts/);
  });
});

describe('convenience methods', () => {
  it('adds disks with their volumes, interfaces with their networks, preset labels', () => {
    const c = chart();
    const preset = new VirtualMachineInstancePreset(c, 'P', { metadata: { name: 'p' }, spec: { selector: { matchLabels: { flavor: 'big' } }, domain: { devices: {} } } });
    const vmi = new VirtualMachineInstance(c, 'Vmi', { metadata: { name: 'vmi' } })
      .addContainerDisk('root', 'example/disk:1', { bus: 'sata', bootOrder: 1 })
      .addCloudInitNoCloud('#cloud-config\n')
      .addEmptyDisk('scratch', '1Gi')
      .addPersistentVolumeClaim('data', 'my-claim')
      .addInterface('default', 'bridge')
      .usePreset(preset);
    expect(vmi.toJson()).toMatchObject({
      metadata: { name: 'vmi', namespace: 'default', labels: { flavor: 'big' } },
      spec: {
        domain: {
          devices: {
            disks: [
              { name: 'root', disk: { bus: 'sata' }, bootOrder: 1 }, { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              { name: 'scratch', disk: { bus: 'virtio' } }, { name: 'data', disk: { bus: 'virtio' } },
            ],
            interfaces: [{ name: 'default', bridge: {} }],
          },
        },
        volumes: [
          { name: 'root', containerDisk: { image: 'example/disk:1' } }, { name: 'cloudinitdisk', cloudInitNoCloud: { userData: '#cloud-config\n' } },
          { name: 'scratch', emptyDisk: { capacity: '1Gi' } }, { name: 'data', persistentVolumeClaim: { claimName: 'my-claim' } },
        ],
        networks: [{ name: 'default', pod: {} }],
      },
    });
  });

  it('puts a VM\'s preset labels on its template, not on the VM', () => {
    const vm = new VirtualMachine(chart(), 'Vm', { metadata: { name: 'vm' } }).usePreset({ matchLabels: { a: 'b' } });
    const json = vm.toJson() as { metadata: { labels?: unknown }; spec: { template: { metadata: { labels: unknown } } } };
    expect(json.spec.template.metadata.labels).toEqual({ a: 'b' });
    expect(json.metadata.labels).toBeUndefined();
  });

  it('refuses a second disk or interface of the same name, naming it', () => {
    const vmi = new VirtualMachineInstance(chart(), 'Vmi').addEmptyDisk('d', '1Gi').addInterface('n');
    expect(() => vmi.addContainerDisk('d', 'x/y:1')).toThrow('spec.domain.devices.disks: a disk or volume named "d" exists already');
    expect(() => vmi.addInterface('n')).toThrow('spec.domain.devices.interfaces: an interface or network named "n" exists already');
  });

  it('does not change the props it was given', () => {
    const spec = { domain: { devices: {} } };
    new VirtualMachineInstance(chart(), 'Vmi', { spec }).addEmptyDisk('d', '1Gi');
    expect(spec).toEqual({ domain: { devices: {} } });
  });
});
