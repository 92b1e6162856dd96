import { fileURLToPath } from 'node:url';

/** Where the design reference keeps KubeVirt's field list: `../shared` beside the repository. */
export const DEFAULT_FIELD_LIST = fileURLToPath(new URL('../../shared/design/kubevirt/api-fields.md', import.meta.url));
