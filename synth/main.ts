/**
 * The cdk8s app of cdk8s.yaml (`npm run synth`): the cluster install and the example VMs, written
 * to manifests/ (cdk8s passes the output folder; it empties it first). manifests/ is not committed:
 * every synth generates a new webhook CA and serving key.
 */
import { App } from 'cdk8s';
import { ExamplesChart } from '../examples/cdk8s/app.js';
import { KubevirtInstall } from './install/install.js';

const app = new App({ outdir: process.env['CDK8S_OUTDIR'] ?? 'manifests' });
new KubevirtInstall(app, 'kubevirt');
new ExamplesChart(app, 'examples');
app.synth();
