/**
 * KubeVirt's reserved-label check on a VM template's metadata (C19): no reserved `kubevirt.io/`
 * labels unless one of KubeVirt's service accounts asks. The other metadata checks (the ignition
 * and sidecar annotations, C20/C21) are spec validators (compute/metadata.ts), run through
 * `validateVmiSpec` with the template's metadata; only this one needs the requester.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go
 */
import type { FieldPath } from '../../core/field-path.js';
import type { KubeObjectMeta } from '../../crd-gen/index.js';
import type { Cause } from '../cause.js';
import { RESERVED_LABELS, reservedLabelCauses } from './compute/metadata.js';
import { isKubevirtServiceAccount } from './vmi-update-accounts.js';

/** The reserved labels among `labels`, with their values. */
export function reservedLabels(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => RESERVED_LABELS.includes(key)));
}

/** C19 on `meta`, reported on `metaPath.labels`; KubeVirt's service accounts (`username`) may set them. */
export function reservedLabelsByRequester(meta: Readonly<KubeObjectMeta> | undefined, metaPath: FieldPath, username: string | undefined): Cause[] {
  return isKubevirtServiceAccount(username) ? [] : reservedLabelCauses(meta, metaPath);
}
