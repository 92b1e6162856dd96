/**
 * The cdk8s app of cdk8s.yaml (`npm run synth`), built as a user's app is: our cluster install
 * (synth/install) and the example VMs, written to manifests/ (cdk8s passes the output folder and
 * empties it first). manifests/ is not committed: every synth generates a new webhook CA and key.
 */
import { App } from 'cdk8s';
import { synthPrivately } from '../../synth/runtime/private-output.js';
import { KubevirtInstall } from '../../synth/install/install.js';
import { ExamplesChart } from './app.js';

const app = new App({ outdir: process.env['CDK8S_OUTDIR'] ?? 'manifests' });
new KubevirtInstall(app, 'kubevirt');
new ExamplesChart(app, 'examples');
synthPrivately(app);
