/** The CustomResourceDefinitions crd-gen builds from the schemas, as cdk8s objects. */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CRDS } from '../../crd-gen/crds.js';

/** Every served CRD, one child per CRD named by the CRD's name. Put it in a chart without a namespace. */
export class KubevirtCrds extends Construct {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const crd of CRDS) {
      const { metadata, ...rest } = crd;
      new ApiObject(this, metadata.name, { ...rest, metadata: { ...metadata } });
    }
  }
}
