/**
 * The project's cdk8s app (cdk8s.yaml, `npm run synth`): the cluster install, the CRDs and the
 * components, written to manifests/ (or CDK8S_OUTDIR, which `cdk8s synth` sets). VMs are declared
 * in a user's own app with `kubevirt-ts/cdk8s`, as examples/cdk8s does.
 */
import { App } from 'cdk8s';
import { synthPrivately } from './runtime/private-output.js';
import { KubevirtInstall } from './install/install.js';

const app = new App({ outdir: process.env['CDK8S_OUTDIR'] ?? 'manifests' });
new KubevirtInstall(app, 'kubevirt');
synthPrivately(app);
