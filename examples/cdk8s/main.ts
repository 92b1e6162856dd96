/**
 * The example cdk8s app: VMs declared with `kubevirt-ts/cdk8s`, consumed exactly as a user's own
 * app consumes the package (see README.md). test/integration/cdk8s-app.e2e.test.ts installs the package
 * from a path into a directory outside the repository, compiles this file there with
 * `tsc --strict`, runs `cdk8s synth` and checks every object with `kvt validate`.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as kv from 'kubevirt-ts/cdk8s';

const app = new App();
const chart = new Chart(app, 'vms', { namespace: 'vms' });

const small = new kv.VirtualMachineInstancePreset(chart, 'small', {
  selector: { 'kubevirt.io/flavor': 'small' },   // @default { 'kubevirt.io/flavor': <name> }
  cpu: { cores: 1 },
  memory: Size.mebibytes(256),
});
const medium = new kv.VirtualMachineInstancetype(chart, 'medium', { cpu: 2, memory: Size.gibibytes(1) });
const prefs = new kv.VirtualMachinePreference(chart, 'virtio', { diskBus: kv.DiskBus.VIRTIO });
const keys = new kplus.Secret(chart, 'keys', { stringData: { key1: 'ssh-ed25519 AAAAC3Nza user@host' } });
const data = new kplus.PersistentVolumeClaim(chart, 'data', { storage: Size.gibibytes(10) });

const web = new kv.VirtualMachine(chart, 'web', {
  runStrategy: kv.RunStrategy.ALWAYS,            // @default what KubeVirt defaults to
  preset: small,                                 // or instancetype: medium, preference: prefs
  disks: [
    kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41', { bootOrder: 1 }),
    kv.Disk.empty('scratch', Size.gibibytes(2)),
    kv.Disk.fromPersistentVolumeClaim('data', data),
  ],
  cloudInit: kv.CloudInit.noCloud({ userData: '#cloud-config\nhostname: web\n' }),
  sshKeys: [keys],                               // accessCredentials, propagated by noCloud
  interfaces: [kv.Interface.masquerade('default', { ports: [80, 443] })],
  terminationGracePeriod: Duration.seconds(30),
});
web.addDisk(kv.Disk.ephemeral('tmp', data));
web.exposeViaService({ ports: [{ port: 80 }] }); // a kplus Service selecting this VM's launcher pod

new kv.VirtualMachine(chart, 'db', { instancetype: medium, preference: prefs,
  disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/debian:12')] });

new kv.VirtualMachineInstanceReplicaSet(chart, 'pool', {
  replicas: 3,
  template: { preset: small, disks: [kv.Disk.fromContainerImage('root', 'quay.io/containerdisks/fedora:41')] },
});
app.synth();
