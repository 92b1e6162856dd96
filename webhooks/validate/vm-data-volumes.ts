/**
 * A VM's dataVolumeTemplates (C23–C28, C35): each entry is named, has exactly one of pvc and
 * storage, takes its data from one source (a source, a sourceRef, or external population), is
 * used by a template volume, and lives in the VM's namespace. C23–C28 keep KubeVirt's paths, which
 * say `dataVolumeTemplate` (singular) and `PVC.Storage`; C35 says `dataVolumeTemplates`.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
 */
import { isDeepStrictEqual } from 'node:util';
import { path } from '../../core/field-path.js';
import type { DataVolumeTemplateSpec, VirtualMachine } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';

type Template = Readonly<DataVolumeTemplateSpec>;

/** One entry check: its cause for the entry at `at` (KubeVirt's singular path), or undefined. */
type Check = (dvt: Template, at: string) => Cause | undefined;

const externallyPopulated = (dvt: Template): boolean =>
  [dvt.spec.pvc, dvt.spec.storage].some((t) => t?.dataSource !== undefined || t?.dataSourceRef !== undefined);

const hasSource = (dvt: Template): boolean => dvt.spec.source !== undefined || dvt.spec.sourceRef !== undefined;

/** C23–C27 in order; an entry stops at its first failure. */
const CHECKS: readonly Check[] = [
  (dvt, at) => ((dvt.metadata?.name ?? '') === '' ? cause(CauseType.Required, `${at}.name`, `'name' field must not be empty for DataVolumeTemplate entry ${at}`) : undefined),
  (dvt, at) => {
    const { pvc, storage } = dvt.spec;
    if (pvc === undefined && storage === undefined) return cause(CauseType.Invalid, `${at}.PVC.Storage`, `DataVolumeTemplate entry ${at} has neither pvc nor storage: one of them must be given`);
    if (pvc !== undefined && storage !== undefined) return cause(CauseType.Invalid, `${at}.PVC.Storage`, `DataVolumeTemplate entry ${at} has both a target storage and a target pvc: give only one`);
    return undefined;
  },
  (dvt, at) => (externallyPopulated(dvt) && hasSource(dvt)
    ? cause(CauseType.Invalid, `${at}.source`, `DataVolumeTemplate entry ${at} is populated externally (dataSource or dataSourceRef) and must not also give source or sourceRef`)
    : undefined),
  (dvt, at) => (!externallyPopulated(dvt) && !hasSource(dvt)
    ? cause(CauseType.Invalid, `${at}.source.sourceRef`, `DataVolumeTemplate entry ${at} needs a source, a sourceRef, or external population (dataSource or dataSourceRef)`)
    : undefined),
  (dvt, at) => {
    const source = dvt.spec.source;
    const kinds = source === undefined ? [] : Object.keys(source).filter((k) => source[k as keyof typeof source] !== undefined);
    if (source === undefined || kinds.length === 1) return undefined;
    const what = kinds.length === 0 ? 'gives no valid source' : `gives more than one source (${kinds.join(', ')})`;
    return cause(CauseType.Invalid, `${at}.source`, `DataVolumeTemplate entry ${at} ${what}: exactly one of http, registry, pvc, blank, upload, s3, gcs, imageio, vddk or snapshot is allowed`);
  },
];

function referenced(vm: Readonly<VirtualMachine>, name: string): boolean {
  return (vm.spec.template?.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name || v.dataVolume?.name === name);
}

/** C23–C28 for every entry. */
export function dataVolumeTemplateCauses(vm: Readonly<VirtualMachine>): Cause[] {
  return (vm.spec.dataVolumeTemplates ?? []).flatMap((dvt, i) => {
    const at = String(path('spec', 'dataVolumeTemplate').index(i));
    for (const check of CHECKS) {
      const found = check(dvt, at);
      if (found !== undefined) return [found];
    }
    const name = dvt.metadata?.name ?? '';
    return referenced(vm, name) ? [] : [cause(CauseType.Required, at, `DataVolumeTemplate entry ${at} (${JSON.stringify(name)}) must be referenced in the VMI template's volumes, by a persistentVolumeClaim claimName or a dataVolume name`)];
  });
}

/**
 * C35: an entry whose namespace is not the VM's, on CREATE or on an UPDATE that changed the
 * templates. `requestNamespace` stands in for a VM without a namespace.
 */
export function dataVolumeNamespaceCauses(vm: Readonly<VirtualMachine>, old: Readonly<VirtualMachine> | undefined, requestNamespace = 'default'): Cause[] {
  if (old !== undefined && isDeepStrictEqual(old.spec.dataVolumeTemplates, vm.spec.dataVolumeTemplates)) return [];
  const target = vm.metadata.namespace || requestNamespace;
  return (vm.spec.dataVolumeTemplates ?? []).flatMap((dvt, i) => {
    const namespace = dvt.metadata?.namespace ?? '';
    if (namespace === '' || namespace === target) return [];
    return [cause(CauseType.Invalid, path('spec', 'dataVolumeTemplates').index(i), `Embedded DataVolume namespace ${namespace} differs from VM namespace ${target}`)];
  });
}
