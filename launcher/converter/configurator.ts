/**
 * The shape every area of the conversion has: VMI + host facts + the domain so far → the domain
 * with that area filled in. Each area is one pure function in its own file (KubeVirt's
 * `DomainConfigurator`s), composed in a fixed order by `index.ts`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/builder.go
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { DomainSpec } from '../domain/schema.js';
import type { ConverterContext } from './context.js';

/**
 * One area of the conversion; returns a new domain and never mutates its inputs. A configurator
 * that sets devices writes `{ ...domain, devices: { ...domain.devices, disks } }` itself rather
 * than through a shared helper: V8 copies an object quickly when the copy in the code always sees
 * objects of one layout, and a helper shared by every configurator sees a different domain layout
 * at each step of the conversion (measured: several times slower per copy, a quarter of the
 * minimal VMI's conversion).
 */
export type Configurator = (vmi: Readonly<VirtualMachineInstance>, ctx: ConverterContext, domain: DomainSpec) => DomainSpec;

/** A domain with nothing configured yet: every later field comes from a configurator. */
export function emptyDomain(): DomainSpec {
  return {
    type: 'kvm',
    name: '',
    memory: { value: 0, unit: 'b' },
    os: { type: { arch: 'x86_64', machine: '', value: 'hvm' } },
    devices: { interfaces: [], channels: [], controllers: [], videos: [], graphics: [], disks: [], inputs: [], serials: [], consoles: [], watchdogs: [], rngs: [], tpms: [], memories: [] },
  };
}
