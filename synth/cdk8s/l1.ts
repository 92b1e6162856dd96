/**
 * `kubevirt-ts/cdk8s/l1`: the cdk8s ApiObject classes generated from our CRDs (synth/imports), with
 * the whole spec as typed props, for what the L2 constructs of `kubevirt-ts/cdk8s` do not cover.
 */
export * from '../imports/kubevirt.js';
