/**
 * Domain identity: the libvirt name `<namespace>_<name>` and KubeVirt's metadata block (VMI uid and
 * the grace period the handler gives the guest to shut down).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/api/schema.go (VMINamespaceKeyFunc)
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-launcher/virtwrap/converter/grace.go
 */
import { ConversionError } from '../../core/errors.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import type { Configurator } from './configurator.js';
import { xmlText } from './values.js';
import { gracePeriodSecondsOf } from '../../core/implicit-defaults.js';

/** The namespace of a VMI that names none (Kubernetes' default namespace). */
const DEFAULT_NAMESPACE = 'default';

/** libvirt refuses `/` in domain names at define time; newlines are outside its grammar. */
function namePart(field: string, value: string): string {
  if (value.includes('/')) throw new ConversionError(field, `${JSON.stringify(value)} contains "/", which libvirt does not allow in a domain name`);
  return xmlText(field, value);
}

/** The libvirt domain name of a VMI: namespace and name joined by one underscore. */
export function domainName(vmi: Readonly<VirtualMachineInstance>): string {
  const name = vmi.metadata.name;
  if (name === undefined || name === '') throw new ConversionError('metadata.name', 'is required');
  const namespace = vmi.metadata.namespace || DEFAULT_NAMESPACE;
  return `${namePart('metadata.namespace', namespace)}_${namePart('metadata.name', name)}`;
}

/** Sets the domain name and KubeVirt's `<metadata><kubevirt>` (uid, grace period). */
export const configureMetadata: Configurator = (vmi, _ctx, domain) => ({
  ...domain,
  name: domainName(vmi),
  metadata: {
    kubevirt: {
      uid: xmlText('metadata.uid', vmi.metadata.uid ?? ''),
      graceperiod: { deletionGracePeriodSeconds: gracePeriodSecondsOf(vmi.spec) },
    },
  },
});
