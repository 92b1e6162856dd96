/**
 * sysprep volumes: the ConfigMap or Secret a Windows guest's setup reads its answer files from,
 * as KubeVirt makes it: an ISO with volume id `unattendCD` holding every key of the object as a
 * file, which must include `autounattend.xml` (any case; KubeVirt refuses to start without it:
 * "Sysprep drive should contain autounattend.xml"). Other keys, such as `unattend.xml`, travel
 * along as files. The disk is usually a cdrom; the converter attaches the ISO as a raw file.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/config/sysprep.go
 * @see https://kubevirt.io/user-guide/user_workloads/startup_scripts/#sysprep
 */
import { ConversionError } from '../../core/errors.js';
import type { PlanInput, VolumeAt, VolumePart } from './context.js';
import { stagingDir, sysprepIsoPath } from './layout.js';

/** KubeVirt's volume id of sysprep ISOs. */
export const SYSPREP_VOLUME_ID = 'unattendCD';

/** The answer file Windows setup looks for, which KubeVirt requires on the sysprep drive. */
export const SYSPREP_ANSWER_FILE = 'autounattend.xml';

/** ConfigMap files keep Kubernetes' default volume mode; Secret files stay private. */
const FILE_MODES = { ConfigMap: 0o644, Secret: 0o600 } as const;

/** The one object a sysprep volume names: its ConfigMap or its Secret. */
function sysprepObject(at: VolumeAt): { readonly kind: 'ConfigMap' | 'Secret'; readonly name: string; readonly field: string } {
  const field = `${at.field}.sysprep`;
  const cm = at.volume.sysprep?.configMap;
  const secret = at.volume.sysprep?.secret;
  if (cm !== undefined && secret !== undefined) throw new ConversionError(field, 'sets both configMap and secret; set one');
  const [kind, ref, refField] = cm !== undefined ? ['ConfigMap', cm, `${field}.configMap`] as const : ['Secret', secret, `${field}.secret`] as const;
  if (ref === undefined) throw new ConversionError(field, 'needs a configMap or a secret holding autounattend.xml');
  if (ref.name === undefined || ref.name === '') throw new ConversionError(`${refField}.name`, `is not set; name the ${kind}`);
  return { kind, name: ref.name, field: refField };
}

/** sysprep: the `unattendCD` ISO of the object's keys (autounattend.xml required). */
export function planSysprep(input: PlanInput, at: VolumeAt): VolumePart {
  const object = sysprepObject(at);
  const path = sysprepIsoPath(input.facts.vmiDir, at.name);
  return {
    source: { type: 'file', path, format: 'raw' },
    steps: [{
      kind: 'iso', field: object.field, path, volumeId: SYSPREP_VOLUME_ID, namespace: input.namespace,
      entries: [{ type: 'object', object: object.kind, name: object.name, optional: false, field: object.field, requiredKey: SYSPREP_ANSWER_FILE }],
      fileMode: FILE_MODES[object.kind], stagingDir: stagingDir(input.facts.vmiDir, at.name), access: at.access,
    }],
  };
}
