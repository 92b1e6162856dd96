// The compute registry as a whole: every example manifest of this repository and the KubeVirt
// shapes of KUBEVIRT-REFERENCE.md "Examples to accept" pass every compute rule after defaults, and
// every rule file's validators are registered.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_CONFIG } from '../../../core/cluster-config.js';
import { path, type FieldPath } from '../../../core/field-path.js';
import { parseKubeYamlDocuments } from '../../../core/yaml.js';
import type { KubeObjectMeta, VirtualMachineInstance, VirtualMachineInstancePreset, VirtualMachineInstanceSpec } from '../../../crd-gen/index.js';
import { admitted } from '../../../test/builders/vmi.js';
import type { Cause } from '../../cause.js';
import { applyPresets } from '../../mutate/presets.js';
import type { SpecOrigin, SpecValidator } from '../types.js';
import * as arch from './arch.js';
import * as clock from './clock.js';
import * as cpuDedicated from './cpu-dedicated.js';
import * as cpu from './cpu.js';
import * as devices from './devices.js';
import * as features from './features.js';
import * as firmware from './firmware.js';
import * as hostname from './hostname.js';
import { COMPUTE_VALIDATORS } from './index.js';
import * as iothreads from './iothreads.js';
import * as launchSecurity from './launch-security.js';
import * as lifecycle from './lifecycle.js';
import * as machine from './machine.js';
import * as memory from './memory.js';
import * as metadata from './metadata.js';
import * as probes from './probes.js';
import * as resources from './resources.js';
import * as unsupported from './unsupported.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, '../../../examples');
const RULES = join(HERE, '../../../../shared/design/kubevirt/rules-compute.md');
const GOLDEN = join(HERE, '../../../test/golden/launcher');

type Obj = Record<string, unknown>;
type Meta = KubeObjectMeta | undefined;

/** Runs every compute validator on a spec the way the admitters do. */
function validateAll(spec: VirtualMachineInstanceSpec, at: { path: FieldPath; metadata: Meta; metadataPath: FieldPath; origin: SpecOrigin }): Cause[] {
  const ctx = { cfg: DEFAULT_CLUSTER_CONFIG, metadata: at.metadata, metadataPath: at.metadataPath, origin: at.origin };
  return COMPUTE_VALIDATORS.flatMap((validate) => validate(spec, at.path, ctx));
}

/** The object's spec after admission defaults, as a VMI. */
function defaulted(meta: Meta, spec: VirtualMachineInstanceSpec): VirtualMachineInstance {
  return admitted({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: meta ?? {}, spec });
}

/** The VMI with the file's presets applied by the real preset mutator. */
function withPresets(vmi: Obj, presets: readonly Obj[]): Obj {
  const result = applyPresets(vmi as unknown as VirtualMachineInstance, presets as unknown as VirtualMachineInstancePreset[]);
  if (!result.ok) throw new Error(`presets do not apply: ${JSON.stringify(result.causes)}`);
  return result.object as unknown as Obj;
}

/** Every VMI spec a manifest file holds: VMIs (with the file's presets applied) and templates. */
function specsOf(text: string): { name: string; causes: Cause[] }[] {
  const objects = parseKubeYamlDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);
  const presets = objects.filter((o) => o['kind'] === 'VirtualMachineInstancePreset');
  return objects.flatMap((o) => {
    const name = `${String(o['kind'])}/${String((o['metadata'] as Obj | undefined)?.['name'])}`;
    if (o['kind'] === 'VirtualMachineInstance') {
      const vmi = withPresets(o, presets);
      const v = defaulted(vmi['metadata'] as Meta, vmi['spec'] as VirtualMachineInstanceSpec);
      return [{ name, causes: validateAll(v.spec, { path: path('spec'), metadata: v.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' }) }];
    }
    const template = (o['spec'] as Obj | undefined)?.['template'] as Obj | undefined;
    if (o['kind'] !== 'VirtualMachine' && o['kind'] !== 'VirtualMachineInstanceReplicaSet') return [];
    if (template === undefined) return [];
    const v = defaulted(template['metadata'] as Meta, template['spec'] as VirtualMachineInstanceSpec);
    return [{ name, causes: validateAll(v.spec, { path: path('spec', 'template', 'spec'), metadata: v.metadata, metadataPath: path('spec', 'template', 'metadata'), origin: 'template' }) }];
  });
}

const exampleFiles = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));
const goldenCases = readdirSync(GOLDEN).filter((d) => existsSync(join(GOLDEN, d, 'vmi.yaml')));

/** KubeVirt's own example shapes (examples/ of KubeVirt v1.8), written out here. */
const KUBEVIRT_SHAPES: Readonly<Record<string, string>> = {
  'Windows with Hyper-V and clock timers': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: vmi-windows
  labels: { special: vmi-windows }
spec:
  terminationGracePeriodSeconds: 0
  domain:
    cpu: { cores: 2 }
    clock:
      utc: {}
      timer:
        hpet: { present: false }
        pit: { tickPolicy: delay }
        rtc: { tickPolicy: catchup }
        hyperv: {}
    features:
      acpi: {}
      apic: {}
      hyperv:
        relaxed: {}
        vapic: {}
        spinlocks: { spinlocks: 8191 }
    firmware:
      uuid: 5d307ca9-b3ef-428c-8861-06e72d69f223
    resources:
      requests: { memory: 2Gi }
    devices:
      disks:
        - name: pvcdisk
          disk: { bus: sata }
      interfaces:
        - name: default
          model: e1000
          masquerade: {}
  networks:
    - name: default
      pod: {}
  volumes:
    - name: pvcdisk
      persistentVolumeClaim: { claimName: disk-windows }
`,
  'EFI without secure boot': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: vmi-alpine-efi
spec:
  terminationGracePeriodSeconds: 0
  domain:
    cpu: { sockets: 1, cores: 1, threads: 1 }
    firmware:
      bootloader:
        efi: { secureBoot: false }
    memory: { guest: 128Mi }
    resources:
      requests: { memory: 1Gi }
    devices:
      disks:
        - name: containerdisk
          disk: { bus: virtio }
  volumes:
    - name: containerdisk
      containerDisk: { image: registry:5000/kubevirt/alpine-container-disk-demo:devel }
`,
  'secure boot with SMM': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: vmi-secureboot
spec:
  domain:
    features:
      acpi: {}
      smm: { enabled: true }
    firmware:
      bootloader:
        efi: { secureBoot: true }
    resources:
      requests: { memory: 1Gi }
    devices:
      disks:
        - name: containerdisk
          disk: { bus: virtio }
  volumes:
    - name: containerdisk
      containerDisk: { image: registry:5000/kubevirt/microlivecd-container-disk-demo:devel }
`,
  'kernel boot from a container': `
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: vmi-kernel-boot
spec:
  terminationGracePeriodSeconds: 0
  domain:
    devices: {}
    firmware:
      kernelBoot:
        kernelArgs: console=ttyS0
        container:
          image: registry:5000/kubevirt/alpine-ext-kernel-boot-demo:devel
          kernelPath: /boot/vmlinuz-virt
          initrdPath: /boot/initramfs-virt
    resources:
      requests: { memory: 1Gi }
`,
  'a VM template with Hyper-V (template rules only)': `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm-windows
spec:
  runStrategy: Halted
  template:
    metadata:
      labels: { kubevirt.io/domain: vm-windows }
    spec:
      domain:
        features:
          hyperv: { relaxed: {}, vapic: {}, synic: {}, synictimer: { direct: {} }, vpindex: {}, frequencies: {}, reenlightenment: {}, ipi: {}, reset: {}, runtime: {} }
        clock:
          utc: {}
          timer: { hyperv: {}, rtc: { tickPolicy: catchup }, pit: { tickPolicy: delay }, hpet: { present: false } }
        resources:
          requests: { memory: 4Gi }
        devices: {}
`,
};

describe('COMPUTE_VALIDATORS', () => {
  it('finds the examples folder', () => {
    expect(exampleFiles.length).toBeGreaterThan(0);
  });

  it.each(exampleFiles)('admits every VMI spec of examples/%s after defaults', (file) => {
    const specs = specsOf(readFileSync(join(EXAMPLES, file), 'utf8'));
    for (const { name, causes } of specs) expect(causes, name).toEqual([]);
  });

  it.each(Object.entries(KUBEVIRT_SHAPES))("admits KubeVirt's example shape: %s", (_name, text) => {
    const specs = specsOf(text);
    expect(specs).toHaveLength(1);
    expect(specs[0]?.causes).toEqual([]);
  });

  it.each(goldenCases)('admits the VMI of the launcher golden case %s (what the launcher runs, admission accepts)', (name) => {
    const specs = specsOf(readFileSync(join(GOLDEN, name, 'vmi.yaml'), 'utf8'));
    expect(specs.flatMap((s) => s.causes)).toEqual([]);
  });

  it('registers every validator the rule files export, once each', () => {
    const modules = [arch, clock, cpuDedicated, cpu, devices, features, firmware, hostname, iothreads, launchSecurity, lifecycle, machine, memory, metadata, probes, resources, unsupported];
    const exported = modules.flatMap((m) => Object.entries(m)).filter(([name, v]) => name.startsWith('validate') && typeof v === 'function').map(([, v]) => v as SpecValidator);
    expect(new Set(COMPUTE_VALIDATORS)).toEqual(new Set(exported));
    expect(COMPUTE_VALIDATORS).toHaveLength(exported.length);
  });

  it('runs the VMI-only rules for VMIs only', () => {
    const text = KUBEVIRT_SHAPES['kernel boot from a container'] ?? '';
    const vmi = parseKubeYamlDocuments(text)[0]?.toJS() as VirtualMachineInstance;
    const noMemory: VirtualMachineInstanceSpec = { ...vmi.spec, domain: { ...vmi.spec.domain, resources: {} } };
    const asVmi = validateAll(defaulted(vmi.metadata, noMemory).spec, { path: path('spec'), metadata: vmi.metadata, metadataPath: path('metadata'), origin: 'VirtualMachineInstance' });
    const asTemplate = validateAll(defaulted(vmi.metadata, noMemory).spec, { path: path('spec', 'template', 'spec'), metadata: undefined, metadataPath: path('spec', 'template', 'metadata'), origin: 'template' });
    expect(asVmi.map((c) => c.field)).toEqual(['spec.domain.resources.requests.memory']);
    expect(asTemplate).toEqual([]);
  });

  it.skipIf(!existsSync(RULES))('mentions every rule id of rules-compute.md in a rule file and in a test name', () => {
    const ids = [...new Set(readFileSync(RULES, 'utf8').match(/^\| (A\d\d) \|/gm)?.map((row) => row.slice(2, 5)) ?? [])];
    expect(ids).toHaveLength(84);
    const files = readdirSync(HERE).filter((f) => f.endsWith('.ts'));
    const sources = files.filter((f) => !f.endsWith('.test.ts')).map((f) => readFileSync(join(HERE, f), 'utf8')).join('\n');
    const tests = files.filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(HERE, f), 'utf8')).join('\n');
    const covered = (text: string, id: string): boolean => new RegExp(`\\b${id}\\b`).test(text) || rangeCovers(text, id);
    expect(ids.filter((id) => !covered(sources, id))).toEqual([]);
    // In a row's id, or in a test title or row description (gate rules name their stand-in: "(A53: HostDevices)").
    expect(ids.filter((id) => !new RegExp(`id: '${id}'|'${id} |\\(${id}[:/ ]`).test(tests))).toEqual([]);
  });
});

/** Whether a range such as `A18–A26` in the text includes `id`. */
function rangeCovers(text: string, id: string): boolean {
  const n = Number(id.slice(1));
  return [...text.matchAll(/A(\d\d)–A(\d\d)/g)].some(([, from, to]) => Number(from) <= n && n <= Number(to));
}
