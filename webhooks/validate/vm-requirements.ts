/**
 * A preference's requirements, checked on the VM's expanded and defaulted template (C14–C17):
 * enough vCPUs (from the instancetype, else from the template's topology as the preference lays it
 * out), enough memory, and the required architecture. The first unmet requirement is reported.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/preference/requirements/checker.go
 */
import { path, type FieldPath } from '../../core/field-path.js';
import { parseQuantity } from '../../core/quantity.js';
import type { CPU, VirtualMachineInstanceSpec, VirtualMachineInstancetypeSpec, VirtualMachinePreferenceSpec } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';
import { preferredTopology, spreadOptions } from '../mutate/instancetype-cpu.js';

type Instancetype = Readonly<VirtualMachineInstancetypeSpec> | undefined;
type Preference = Readonly<VirtualMachinePreferenceSpec>;
type Spec = Readonly<VirtualMachineInstanceSpec>;

const PREFIX = 'failure checking preference requirements: ';
const CPU_PATH = path('spec', 'template', 'spec', 'domain', 'cpu');

type Dimension = 'sockets' | 'cores' | 'threads';

/** The topology dimensions whose product counts as the VM's vCPUs, by preferred topology (and spread across). */
const COUNTED: Readonly<Record<string, readonly Dimension[]>> = {
  sockets: ['sockets'],
  cores: ['cores'],
  threads: ['threads'],
  any: ['cores', 'sockets', 'threads'],
  'spread:SocketsCores': ['sockets', 'cores'],
  'spread:CoresThreads': ['cores', 'threads'],
  'spread:SocketsCoresThreads': ['sockets', 'cores', 'threads'],
};

function countedDimensions(pref: Preference): readonly Dimension[] {
  const topology = preferredTopology(pref);
  return COUNTED[topology === 'spread' ? `spread:${spreadOptions(pref).across}` : topology] ?? [];
}

/** How the message names the counted dimensions (KubeVirt names `any` in words and spread by `across`). */
function dimensionWords(pref: Preference, dims: readonly Dimension[]): string {
  const topology = preferredTopology(pref);
  if (topology === 'any') return 'cores, sockets and threads';
  return topology === 'spread' ? spreadOptions(pref).across : dims.join(', ');
}

const fail = (field: FieldPath | string, message: string): Cause => cause(CauseType.NotFound, field, `${PREFIX}${message}`);

function templateCpuCause(pref: Preference, cpu: Readonly<CPU> | undefined, required: number): Cause | undefined {
  if (cpu === undefined) return fail(CPU_PATH, `no CPU resources provided by VirtualMachine, preference requires ${required} vCPU`);
  const dims = countedDimensions(pref);
  const vcpus = dims.reduce((n, d) => n * (cpu[d] ?? 0), dims.length === 0 ? 0 : 1);
  if (vcpus >= required) return undefined;
  const field = dims.map((d) => String(CPU_PATH.child(d))).join(', ');
  return fail(field, `insufficient CPU resources of ${vcpus} vCPU provided by VirtualMachine, preference requires ${required} vCPU provided as ${dimensionWords(pref, dims)}`);
}

function cpuCause(it: Instancetype, pref: Preference, spec: Spec): Cause | undefined {
  const required = pref.requirements?.cpu?.guest;
  if (required === undefined) return undefined;
  if (it === undefined) return templateCpuCause(pref, spec.domain.cpu, required);
  if (it.cpu.guest >= required) return undefined;
  return fail(path('spec', 'instancetype'), `insufficient CPU resources of ${it.cpu.guest} vCPU provided by instance type, preference requires ${required} vCPU`);
}

/** Who provides the memory, and where a shortfall is reported. */
function memorySource(it: Instancetype, spec: Spec): { readonly provided: string | number | undefined; readonly by: string; readonly field: FieldPath } {
  if (it !== undefined) return { provided: it.memory.guest, by: 'instance type', field: path('spec', 'instancetype') };
  return { provided: spec.domain.memory?.guest, by: 'VirtualMachine', field: path('spec', 'template', 'spec', 'domain', 'memory') };
}

function memoryCause(it: Instancetype, pref: Preference, spec: Spec): Cause | undefined {
  const required = pref.requirements?.memory?.guest;
  if (required === undefined) return undefined;
  const { provided, by, field } = memorySource(it, spec);
  if ((parseQuantity(provided) ?? 0) >= (parseQuantity(required) ?? 0)) return undefined;
  return fail(field, `insufficient Memory resources of ${provided ?? 0} provided by ${by}, preference requires ${required}`);
}

function architectureCause(pref: Preference, spec: Spec): Cause | undefined {
  const required = pref.requirements?.architecture;
  if (required === undefined || required === spec.architecture) return undefined;
  return fail(path('spec', 'template', 'spec', 'architecture'), `preference requires architecture ${required} but ${spec.architecture ?? ''} is being requested`);
}

/** The first unmet requirement of `pref` (C14–C17), or none. */
export function preferenceRequirementCauses(it: Instancetype, pref: Preference | undefined, spec: Spec): Cause[] {
  if (pref?.requirements === undefined) return [];
  const found = cpuCause(it, pref, spec) ?? memoryCause(it, pref, spec) ?? architectureCause(pref, spec);
  return found === undefined ? [] : [found];
}
