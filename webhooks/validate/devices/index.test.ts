import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path } from '../../../core/field-path.js';
import { parseKubeYamlDocuments } from '../../../core/yaml.js';
import type { VirtualMachineInstance, VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import { applyVmiDefaults } from '../../mutate/vmi-defaults.js';
import { validateVmiSpec } from '../vmi-spec.js';
import type { SpecValidator } from '../types.js';
import { DEVICE_VALIDATORS, validateOtherDevices } from './index.js';
import { specWith, templateContext, TEMPLATE_PATH, vmiContext, VMI_PATH } from './cases.testing.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const UUID = '9b6c1f4e-2a53-4f0e-8d3b-0c1e2f3a4b5c';

interface Manifest {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly template?: { readonly metadata?: Record<string, unknown>; readonly spec?: VirtualMachineInstanceSpec } } & Partial<VirtualMachineInstanceSpec>;
}

/** A VMI spec as admission leaves it. */
function defaulted(spec: VirtualMachineInstanceSpec): VirtualMachineInstanceSpec {
  const vmi: VirtualMachineInstance = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'example', namespace: 'default' }, spec };
  return applyVmiDefaults(vmi, DEFAULT_CLUSTER_CONFIG, { firmwareUuid: UUID }).spec;
}

function runAll(validators: readonly SpecValidator[], spec: VirtualMachineInstanceSpec, template: boolean) {
  return template
    ? validators.flatMap((v) => v(spec, TEMPLATE_PATH, templateContext()))
    : validators.flatMap((v) => v(spec, VMI_PATH, vmiContext()));
}

/** Every VMI spec of a YAML text: VMIs at `spec`, VM and replica set templates at `spec.template.spec`. */
interface FoundSpec {
  readonly name: string;
  readonly spec: VirtualMachineInstanceSpec;
  readonly template: boolean;
}

function specsOf(text: string): FoundSpec[] {
  return parseKubeYamlDocuments(text).flatMap((doc): FoundSpec[] => {
    const m = doc.toJS() as Manifest | null;
    const name = `${m?.kind ?? '?'}/${m?.metadata?.name ?? '?'}`;
    if (m?.kind === 'VirtualMachineInstance') return [{ name, spec: m.spec as VirtualMachineInstanceSpec, template: false }];
    const template = m?.spec?.template?.spec;
    return (m?.kind === 'VirtualMachine' || m?.kind === 'VirtualMachineInstanceReplicaSet') && template !== undefined ? [{ name, spec: template, template: true }] : [];
  });
}

const exampleSpecs = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort()
  .flatMap((file) => specsOf(readFileSync(new URL(file, EXAMPLES), 'utf8')).map((s) => ({ ...s, file })));

describe('DEVICE_VALIDATORS on the examples', () => {
  it('finds the VMI specs of examples/', () => {
    expect(exampleSpecs.length).toBeGreaterThanOrEqual(7);
  });

  it.each(exampleSpecs)('admits $file $name after applyVmiDefaults', ({ spec, template }) => {
    expect(runAll(DEVICE_VALIDATORS, defaulted(spec), template)).toEqual([]);
    // The VMI a VM or replica set makes from its template is admitted too.
    if (template) expect(runAll(DEVICE_VALIDATORS, defaulted(spec), false)).toEqual([]);
    expect(validateOtherDevices(defaulted(spec), VMI_PATH, vmiContext())).toEqual([]);
  });
});

/** KubeVirt-shaped manifests of KUBEVIRT-REFERENCE.md's "Examples to accept". */
const KUBEVIRT_SHAPED: Readonly<Record<string, string>> = {
  sata: `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-sata, labels: { special: vmi-sata } }
spec:
  domain:
    devices: {}
    resources: { requests: { memory: 128Mi } }
  terminationGracePeriodSeconds: 0
  volumes:
  - name: containerdisk
    containerDisk: { image: 'registry:5000/kubevirt/cirros-container-disk-demo:devel' }
`,
  'masquerade with ports': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-masquerade }
spec:
  domain:
    devices:
      disks:
      - { name: containerdisk, disk: { bus: virtio } }
      - { name: cloudinitdisk, disk: { bus: virtio } }
      interfaces:
      - name: testmasquerade
        masquerade: {}
        ports:
        - { name: http, port: 80, protocol: TCP }
      rng: {}
    machine: { type: "" }
    resources: { requests: { memory: 1024M } }
  networks:
  - { name: testmasquerade, pod: {} }
  volumes:
  - { name: containerdisk, containerDisk: { image: 'registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel' } }
  - name: cloudinitdisk
    cloudInitNoCloud:
      userData: |-
        #!/bin/bash
        echo fedora | passwd fedora --stdin
`,
  multus: `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-multus-multiple-net }
spec:
  domain:
    devices:
      disks:
      - { name: containerdisk, disk: { bus: virtio } }
      - { name: cloudinitdisk, disk: { bus: virtio } }
      interfaces:
      - { name: default, bridge: {} }
      - { name: ptp, bridge: {} }
    resources: { requests: { memory: 1024M } }
  networks:
  - { name: default, pod: {} }
  - { name: ptp, multus: { networkName: ptp-conf } }
  volumes:
  - { name: containerdisk, containerDisk: { image: 'registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel' } }
  - name: cloudinitdisk
    cloudInitNoCloud:
      userData: |
        #!/bin/bash
        dhclient eth1
`,
  nocloud: `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-nocloud }
spec:
  domain:
    devices:
      disks:
      - { name: containerdisk, disk: { bus: virtio } }
      - { name: cloudinitdisk, disk: { bus: virtio } }
      - { name: emptydisk, disk: { bus: virtio } }
    resources: { requests: { memory: 128Mi } }
  volumes:
  - { name: containerdisk, containerDisk: { image: 'index.docker.io/kubevirt/cirros-container-disk-demo:mybuild' } }
  - name: cloudinitdisk
    cloudInitNoCloud:
      userData: |
        #!/bin/sh
        echo 'printed from cloud-init userdata'
  - { name: emptydisk, emptyDisk: { capacity: 2Gi } }
`,
  pvc: `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-pvc }
spec:
  domain:
    cpu: { cores: 1, sockets: 1, threads: 1 }
    devices:
      disks:
      - { name: pvcdisk, disk: { bus: virtio } }
    memory: { guest: 128Mi }
    resources: { requests: { memory: 128Mi } }
  volumes:
  - { name: pvcdisk, persistentVolumeClaim: { claimName: disk-alpine } }
`,
  ephemeral: `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-ephemeral-pvc }
spec:
  domain:
    devices:
      disks:
      - { name: ephemeral-disk, disk: { bus: virtio } }
    memory: { guest: 128Mi }
    resources: {}
  volumes:
  - name: ephemeral-disk
    ephemeral:
      persistentVolumeClaim: { claimName: disk-alpine }
`,
  'host disk': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: { name: vmi-host-disk }
spec:
  domain:
    devices:
      disks:
      - { name: host-disk, disk: { bus: virtio } }
    memory: { guest: 128Mi }
    resources: {}
  volumes:
  - name: host-disk
    hostDisk: { capacity: 1Gi, path: /var/data/disk.img, type: DiskOrCreate }
`,
  'cirros container disk + cloud-init (VM)': `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: { name: vm-cirros, labels: { kubevirt.io/vm: vm-cirros } }
spec:
  runStrategy: Halted
  template:
    metadata: { labels: { kubevirt.io/vm: vm-cirros } }
    spec:
      domain:
        devices:
          disks:
          - { name: containerdisk, disk: { bus: virtio } }
          - { name: cloudinitdisk, disk: { bus: virtio } }
        resources: { requests: { memory: 128Mi } }
      terminationGracePeriodSeconds: 0
      volumes:
      - { name: containerdisk, containerDisk: { image: 'registry:5000/kubevirt/cirros-container-disk-demo:devel' } }
      - name: cloudinitdisk
        cloudInitNoCloud:
          userData: |
            #!/bin/sh
            echo 'printed from cloud-init userdata'
`,
  'cirros on SATA (VM, devices left to the defaults)': `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: { name: vm-cirros-sata }
spec:
  running: false
  template:
    spec:
      domain:
        cpu: { cores: 1, sockets: 1, threads: 1 }
        devices: {}
        memory: { guest: 128Mi }
        resources: { requests: { memory: 128Mi } }
      volumes:
      - { name: containerdisk, containerDisk: { image: 'registry:5000/kubevirt/cirros-container-disk-demo:devel' } }
      - name: cloudinitdisk
        cloudInitNoCloud: { userData: "#!/bin/sh\\necho hi\\n" }
`,
};

describe('DEVICE_VALIDATORS on KubeVirt-shaped manifests', () => {
  it.each(Object.entries(KUBEVIRT_SHAPED))('admits %s', (_name, text) => {
    const specs = specsOf(text);
    expect(specs).toHaveLength(1);
    for (const { spec, template } of specs) {
      expect(runAll(DEVICE_VALIDATORS, defaulted(spec), template)).toEqual([]);
      expect(runAll(DEVICE_VALIDATORS, defaulted(spec), false)).toEqual([]);
    }
  });

  it.each([
    ['slirp', 'spec.domain.devices.interfaces[0].slirp'],
    ['passt', 'spec.domain.devices.interfaces[0].passt'],
    ['macvtap', 'spec.domain.devices.interfaces[0].macvtap'],
  ])('B55 refuses the discontinued %s binding on %s, once', (binding, field) => {
    const spec = specWith({ interfaces: [{ name: 'default', [binding]: {} }] }, { networks: [{ name: 'default', pod: {} }] });
    const causes = validateVmiSpec(defaulted(spec), path('spec'), vmiContext()).filter((c) => c.field === field);
    expect(causes).toEqual([expect.objectContaining({ type: 'FieldValueInvalid' })]);
  });
});

describe('B89–B95 through the whole VMI spec validation', () => {
  // The compute validators register these KubeVirt checks (A50–A58, A68, AX08); the devices side
  // does not, so that each is reported once. This guards both halves of that arrangement.
  it.each([
    ['B89', 'spec.domain.devices.inputs[0].bus', specWith({ inputs: [{ name: 't', type: 'tablet', bus: 'ps2' as 'usb' }] })],
    ['B90', 'spec.domain.devices.inputs[0].type', specWith({ inputs: [{ name: 't', type: 'mouse' as 'tablet' }] })],
    ['B92', 'spec.domain.devices.gpus', specWith({ gpus: [{ name: 'a', virtualGPUOptions: { display: {} } }, { name: 'b', virtualGPUOptions: { display: {} } }] })],
    ['B93', 'spec.domain.devices.hostDevices', specWith({ hostDevices: [{ name: 'h' }] })],
    ['B94', 'spec.domain.devices.video', specWith({ autoattachGraphicsDevice: false, video: { type: 'vga' } })],
    ['B95', 'spec.domain.devices.watchdog', specWith({ watchdog: { name: 'w', diag288: {} } })],
  ])('%s is reported exactly once on %s', (_id, field, spec) => {
    const kubevirtRule = validateOtherDevices(spec, VMI_PATH, vmiContext()).filter((c) => c.field === field);
    const all = validateVmiSpec(defaulted(spec), path('spec'), vmiContext()).filter((c) => c.field === field);
    expect(kubevirtRule).toHaveLength(1);
    // One cause for the KubeVirt rule; GPUs also get kubevirt-ts' own "not supported".
    expect(all.filter((c) => !c.message.includes('GPU passthrough is not supported'))).toHaveLength(1);
  });
});

describe('DEVICE_VALIDATORS', () => {
  it('is pure: the same causes twice, and the spec unchanged', () => {
    const spec = specWith({ disks: [{ name: 'Bad', disk: { bus: 'ide' as 'sata' } }], interfaces: [{ name: 'x', slirp: {} }] }, { volumes: [{ name: 'v' }] });
    const before = structuredClone(spec);
    const first = runAll(DEVICE_VALIDATORS, spec, false);
    expect(runAll(DEVICE_VALIDATORS, spec, false)).toEqual(first);
    expect(spec).toEqual(before);
    expect(first.length).toBeGreaterThan(5);
  });

  it('never throws on values the schema would have refused (missing names, wrong types)', () => {
    const hostile = {
      domain: {
        devices: {
          disks: [{}, { name: 7, disk: { bus: 3 }, serial: '', blockSize: { custom: {} } }],
          interfaces: [{}, { name: 'a', ports: [{}], dhcpOptions: { privateOptions: [{}], ntpServers: [''] }, macAddress: '' }],
          inputs: [{}], watchdog: {}, sound: {}, gpus: [{}], hostDevices: [{}],
        },
      },
      volumes: [{}, { name: 'c', containerDisk: {} }, { name: 'h', hostDisk: {} }, { name: 'd', downwardAPI: { fields: [{}] } }, { name: 'n', cloudInitNoCloud: { secretRef: {} } }],
      networks: [{}, { name: 'm', multus: {} }],
      accessCredentials: [{}, { sshPublicKey: {} }],
    } as unknown as VirtualMachineInstanceSpec;
    for (const template of [false, true]) {
      expect(() => runAll([...DEVICE_VALIDATORS, validateOtherDevices], hostile, template)).not.toThrow();
    }
    expect(runAll(DEVICE_VALIDATORS, hostile, false).length).toBeGreaterThan(10);
  });

  it('prefixes every field with spec.template.spec on a VM template', () => {
    const spec = specWith({ disks: [{ name: 'Bad', disk: { bus: 'ide' as 'sata' } }], interfaces: [{ name: 'x', slirp: {} }] }, { volumes: [{ name: 'v' }] });
    const causes = runAll(DEVICE_VALIDATORS, spec, true);
    expect(causes.length).toBeGreaterThan(5);
    expect(causes.every((c) => c.field.startsWith('spec.template.spec.'))).toBe(true);
  });
});
