/** The example app on its own: `npx tsx examples/cdk8s/main.ts` writes dist/examples-cdk8s/. */
import { App } from 'cdk8s';
import { ExamplesChart } from './app.js';

const app = new App({ outdir: 'dist/examples-cdk8s' });
new ExamplesChart(app, 'examples');
app.synth();
