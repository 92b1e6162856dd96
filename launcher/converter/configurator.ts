/**
 * The shape every area of the conversion has: VMI + host facts + the domain so far → the domain
 * with that area filled in. Each area is one pure function in its own file (KubeVirt's
 * `DomainConfigurator`s), composed in a fixed order by `index.ts`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/builder.go
 */
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Devices, DomainSpec } from '../domain/schema.js';
import type { ConverterContext } from './context.js';

/** One area of the conversion; returns a new domain and never mutates its inputs. */
export type Configurator = (vmi: Readonly<VirtualMachineInstance>, ctx: ConverterContext, domain: DomainSpec) => DomainSpec;

/** The domain with some device lists replaced (a new object; the input stays as it was). */
export function withDevices(domain: DomainSpec, devices: Partial<Devices>): DomainSpec {
  return { ...domain, devices: { ...domain.devices, ...devices } };
}

/** A domain with nothing configured yet: every later field comes from a configurator. */
export function emptyDomain(): DomainSpec {
  return {
    type: 'kvm',
    name: '',
    memory: { value: 0, unit: 'b' },
    os: { type: { arch: 'x86_64', machine: '', value: 'hvm' } },
    devices: { interfaces: [], channels: [], controllers: [], videos: [], graphics: [], disks: [], inputs: [], serials: [], consoles: [], watchdogs: [], rngs: [], memories: [] },
  };
}
