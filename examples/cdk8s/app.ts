/**
 * The example cdk8s app of kubevirt-ts: a preset, an instancetype, two VMs and a replica set,
 * declared with the synth/vm constructs. `npm run synth` writes them next to the install.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  VirtualMachine, VirtualMachineInstancePreset, VirtualMachineInstanceReplicaSet, VirtualMachineInstancetype,
} from '../../synth/vm/constructs.js';

/** The image every example boots (`npm run guest` builds it for the local mode). */
export const EXAMPLE_IMAGE = 'quay.io/kubevirt/cirros-container-disk-demo:v1.4.0';

const CLOUD_INIT = ['#cloud-config', 'password: kubevirt', 'chpasswd: { expire: False }', ''].join('\n');

/** The example objects in one chart of namespace `namespace`. */
export class ExamplesChart extends Chart {
  public constructor(scope: Construct, id: string, namespace = 'default') {
    super(scope, id, { namespace });

    const small = new VirtualMachineInstancePreset(this, 'PresetSmall', {
      metadata: { name: 'small' },
      spec: { selector: { matchLabels: { 'kubevirt.io/flavor': 'small' } }, domain: { cpu: { cores: 1 }, devices: {}, resources: { requests: { memory: '128Mi' } } } },
    });

    // A VM sized by the preset, with cloud-init and a pod network interface.
    new VirtualMachine(this, 'VmCloudInit', { metadata: { name: 'vm-cloudinit' } })
      .usePreset(small)
      .addContainerDisk('containerdisk', EXAMPLE_IMAGE)
      .addCloudInitNoCloud(CLOUD_INIT)
      .addInterface('default');

    // A VM sized by an instancetype, with a scratch disk.
    const medium = new VirtualMachineInstancetype(this, 'InstancetypeMedium', {
      metadata: { name: 'medium' },
      spec: { cpu: { guest: 2 }, memory: { guest: '256Mi' } },
    });
    new VirtualMachine(this, 'VmInstancetype', { metadata: { name: 'vm-medium' }, spec: { runStrategy: 'Always', template: {} } })
      .useInstancetype(medium)
      .addContainerDisk('containerdisk', EXAMPLE_IMAGE, { bootOrder: 1 })
      .addEmptyDisk('scratch', '1Gi');

    // Two identical ephemeral VMIs.
    const labels = { 'kubevirt.io/replicaset': 'cirros' };
    new VirtualMachineInstanceReplicaSet(this, 'ReplicaSet', {
      metadata: { name: 'cirros' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { domain: { devices: {}, resources: { requests: { memory: '128Mi' } } } } },
      },
    }).addContainerDisk('containerdisk', EXAMPLE_IMAGE);
  }
}
