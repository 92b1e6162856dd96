/**
 * The cluster install on its own (`npx tsx synth/main.ts`): the CRDs and the components, written to
 * manifests/ (or CDK8S_OUTDIR). The project's cdk8s app (cdk8s.yaml, `npm run synth`) is
 * examples/cdk8s/main.ts, which adds the example VMs, as a user's own app would.
 */
import { App } from 'cdk8s';
import { synthPrivately } from './runtime/private-output.js';
import { KubevirtInstall } from './install/install.js';

const app = new App({ outdir: process.env['CDK8S_OUTDIR'] ?? 'manifests' });
new KubevirtInstall(app, 'kubevirt');
synthPrivately(app);
