/**
 * The base of every L2 construct: a cdk8s ApiObject of our API groups that goes through KubeVirt's
 * admission (the chain `kvt validate` and the webhooks run) when the app synthesizes, so an
 * invalid object fails `cdk8s synth` with its construct path and the field.
 */
import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';
import { admissionErrors, synthAdmissionContext } from '../vm/admission.js';

/** An object of our API groups, admitted when the app synthesizes. */
export abstract class KubevirtObject extends ApiObject {
  protected constructor(scope: Construct, id: string, gvk: GroupVersionKind, props: { readonly metadata?: ApiObjectMetadata | undefined; readonly spec: object }) {
    super(scope, id, { ...gvk, ...(props.metadata === undefined ? {} : { metadata: props.metadata }), spec: props.spec });
    this.node.addValidation({ validate: () => admissionErrors(this.toJson() as Record<string, unknown>, synthAdmissionContext(this.node.root)) });
  }

  /** Adds a check of the construct's own props, run at synth: each message is prefixed with the object. */
  protected addPropsValidation(check: () => string[]): void {
    this.node.addValidation({ validate: () => check().map((m) => `${this.kind}/${this.name}: ${m}`) });
  }
}

/** An object of a cluster-scoped kind: the chart's namespace is not written into it. */
export abstract class ClusterKubevirtObject extends KubevirtObject {
  public override toJson(): Record<string, unknown> {
    const json = super.toJson() as { metadata?: Record<string, unknown> };
    if (json.metadata !== undefined) delete json.metadata['namespace'];
    return json;
  }
}
