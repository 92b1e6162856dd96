/**
 * Synth-time admission: every object of our groups in a cdk8s app goes through the same chain the
 * webhooks run (`admit`, CREATE). Its verdict is what counts; what the mutators would add
 * (defaults, presets) is not written to the manifests, as a cluster adds it on create.
 */
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { DEFAULT_CLUSTER_CONFIG } from '../../core/cluster-config.js';
import { displayName } from '../../core/manifests.js';
import { isOurGroup } from '../../crd-gen/index.js';
import { admit } from '../../webhooks/admission.js';
import { denialLines } from '../../webhooks/denial-lines.js';
import { lookupsFromObjects } from '../../webhooks/admission-lookups.js';
import type { AdmissionContext } from '../../webhooks/context.js';

/** The objects of our groups the app holds (the lookups admission consults: presets, instancetypes, …). */
function appObjects(root: IConstruct): unknown[] {
  return root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && isOurGroup(c.apiVersion)).map((o) => o.toJson() as unknown);
}

/**
 * The context of a synth: KubeVirt's default cluster settings and lookups over the app's own
 * objects. The ids and time only feed mutations, whose result is dropped, so they are fixed.
 */
export function synthAdmissionContext(root: IConstruct): AdmissionContext {
  return { cfg: DEFAULT_CLUSTER_CONFIG, lookups: lookupsFromObjects(appObjects(root)), ids: { uuid: () => '00000000-0000-4000-8000-000000000000' }, now: new Date(0) };
}

/** Why admission refuses `object`: the lines `kvt validate` prints (`Kind/name: field.path: message`), or none. */
export function admissionErrors(object: Readonly<Record<string, unknown>>, ctx: AdmissionContext): string[] {
  const result = admit(object, undefined, 'CREATE', ctx);
  return result.allowed ? [] : denialLines(displayName(object), result.status);
}
