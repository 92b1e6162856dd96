// Our CRDs on a real kube-apiserver: every one is accepted and Established (the API server checks
// structural schemas, printer columns and subresources itself), and every example object passes the
// server's own validation of those schemas (a dry-run create; no webhooks are installed here).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeApi, KubeObject } from '../../core/kube.js';
import { parseManifests } from '../../core/manifests.js';
import { CRDS } from '../../crd-gen/crds.js';
import { isOurGroup } from '../../crd-gen/index.js';
import { createKubeClient } from '../../store/runtime/kube-client.js';
import { clusterKubeConfig, CRD_TYPE, installCrds, SKIP_CLUSTER, type Crd } from '../fixtures/cluster.js';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' } as const;
const EXAMPLES = join(import.meta.dirname, '../../examples');

describe.skipIf(SKIP_CLUSTER)('our CRDs on a real kube-apiserver', () => {
  let api: KubeApi;
  const namespace = `crds-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    api = createKubeClient(clusterKubeConfig());
    await installCrds(api);
    await api.create({ ...NAMESPACE, metadata: { name: namespace } });
  }, 120_000);

  afterAll(async () => {
    await api?.delete(NAMESPACE, undefined, namespace).catch(() => undefined);
  });

  it('accepts and establishes every CRD, with its printer columns and subresources as we wrote them', async () => {
    for (const crd of CRDS) {
      const got = await api.get<Crd & { spec: (typeof CRDS)[number]['spec'] }>(CRD_TYPE, undefined, crd.metadata.name);
      const [version] = got.spec.versions;
      expect(version?.additionalPrinterColumns ?? []).toEqual(crd.spec.versions[0]?.additionalPrinterColumns ?? []);
      expect(version?.subresources ?? {}).toEqual(crd.spec.versions[0]?.subresources ?? {});
      expect(got.spec.names.shortNames ?? []).toEqual(crd.spec.names.shortNames ?? []);
    }
  });

  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
  it.each(files)('validates every object of examples/%s against our schemas (dry run)', async (file) => {
    const text = readFileSync(join(EXAMPLES, file), 'utf8');
    const objects = parseManifests(file, text).objects.map((o) => o.object as unknown as KubeObject).filter((o) => isOurGroup(o.apiVersion));
    expect(objects.length).toBeGreaterThan(0);
    // Flavours are created for real (a VMI admitted after them may need them, when webhooks are
    // installed); what would run (VMs, VMIs, replica sets) is only a dry run.
    const runs = new Set(['VirtualMachine', 'VirtualMachineInstance', 'VirtualMachineInstanceReplicaSet']);
    const inNamespace = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace } });
    const flavours = objects.filter((o) => !runs.has(o.kind));
    for (const object of flavours) await api.create(inNamespace(object));
    for (const object of objects.filter((o) => runs.has(o.kind))) {
      // virt-api's informers see a new flavour a moment after its create (as KubeVirt's do): a VMI
      // admitted with it may be refused until then, never after.
      const end = Date.now() + 15_000;
      let written: KubeObject | undefined;
      while (written === undefined) {
        written = await api.create(inNamespace(object), { dryRun: true }).catch((e: unknown) => {
          if (flavours.length === 0 || Date.now() > end) throw e;
          return new Promise<undefined>((r) => setTimeout(() => r(undefined), 200));
        });
      }
      expect(written.metadata.name).toBe(object.metadata.name);
    }
    for (const object of flavours) await api.delete(object, namespace, object.metadata.name ?? '');
  });
});
