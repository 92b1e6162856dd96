import { X509Certificate } from 'node:crypto';
import { Testing } from 'cdk8s';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_ROUTES } from '../../webhooks/registry.js';
import { openApiProblem } from '../testing/openapi.testing.js';
import { KubevirtInstall, resolveInstallProps, virtApiDnsNames, type KubevirtInstallProps } from './install.js';
import { generateComponentPki, generateServingPki, type ComponentPki, type ServingPki } from './pki.js';
import { parseVirtControllerArgs } from '../../cli/commands/virt-controller.js';

// Never written (the tests synth in memory); without it Testing.app() leaves a temp dir behind per app.
const NO_OUTDIR = '/nonexistent-never-written';

type Obj = Readonly<Record<string, unknown>>;

/** The value at a path of plain JSON (undefined when a step is missing). */
function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}

function objs(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

let pki: ServingPki;
let componentPki: ComponentPki;
beforeAll(() => {
  pki = generateServingPki(virtApiDnsNames('kubevirt'), 30);
  componentPki = generateComponentPki(30);
});

function synth(props: KubevirtInstallProps = {}): { crds: Obj[]; components: Obj[] } {
  const install = new KubevirtInstall(Testing.app({ outdir: NO_OUTDIR }), 'kv', { pki, componentPki, ...props });
  return { crds: Testing.synth(install.crds) as Obj[], components: Testing.synth(install.components) as Obj[] };
}

function find(objects: Obj[], kind: string, name: string): Obj {
  const hit = objects.find((o) => o['kind'] === kind && at(o, 'metadata', 'name') === name);
  if (hit === undefined) throw new Error(`no ${kind}/${name}`);
  return hit;
}

function containers(objects: Obj[]): Obj[] {
  return objects.flatMap((o) => objs(at(o, 'spec', 'template', 'spec', 'containers')));
}

/** The manifests with the per-synth PEM material replaced, so the snapshot is stable. */
function masked(objects: Obj[]): Obj[] {
  const b64 = Buffer.from(pki.caCertPem).toString('base64');
  const text = JSON.stringify(objects)
    .replaceAll(b64, '<caBundle>')
    .replaceAll(JSON.stringify(pki.certPem).slice(1, -1), '<tls.crt>')
    .replaceAll(JSON.stringify(pki.keyPem).slice(1, -1), '<tls.key>')
    .replaceAll(JSON.stringify(pki.caCertPem).slice(1, -1), '<ca.crt>')
    .replaceAll(JSON.stringify(componentPki.caCertPem).slice(1, -1), '<component ca.crt>')
    .replaceAll(JSON.stringify(componentPki.handlerCertPem).slice(1, -1), '<handler tls.crt>')
    .replaceAll(JSON.stringify(componentPki.handlerKeyPem).slice(1, -1), '<handler tls.key>')
    .replaceAll(JSON.stringify(componentPki.apiClientCertPem).slice(1, -1), '<api client tls.crt>')
    .replaceAll(JSON.stringify(componentPki.apiClientKeyPem).slice(1, -1), '<api client tls.key>');
  return JSON.parse(text) as Obj[];
}

describe('KubevirtInstall', () => {
  it('synthesizes the same install as the snapshot', () => {
    const { crds, components } = synth();
    expect(crds.map((c) => at(c, 'metadata', 'name'))).toMatchSnapshot('crd names');
    expect(masked(components)).toMatchSnapshot('components');
  });

  it('puts no namespace on cluster-scoped objects and the install namespace on the rest', () => {
    const { crds, components } = synth({ namespace: 'kv-system' });
    const cluster = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    // The one object outside the install namespace: virt-api's binding to the front-proxy settings' reader Role.
    const inKubeSystem = (o: Obj): boolean => o['kind'] === 'RoleBinding' && String(at(o, 'metadata', 'name')).endsWith('-auth-reader');
    for (const o of crds) expect(at(o, 'metadata', 'namespace')).toBeUndefined();
    for (const o of components) expect(at(o, 'metadata', 'namespace')).toBe(cluster.has(String(o['kind'])) ? undefined : inKubeSystem(o) ? 'kube-system' : 'kv-system');
  });

  it('runs virt-handler privileged, with the run root and /dev/kvm, without host PID', () => {
    const ds = find(synth().components, 'DaemonSet', 'virt-handler');
    const pod = at(ds, 'spec', 'template', 'spec');
    expect(pod).toMatchObject({
      hostPID: false,
      containers: [{
        securityContext: { privileged: true },
        args: ['virt-handler', '--node-name', '$(NODE_NAME)', '--run-root', '/run/kvt', '--rest-certs', '/etc/virt-handler/certs', '--rest-port', '8186'],
        env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      }],
    });
    expect(objs(at(pod, 'volumes')).map((v) => at(v, 'hostPath', 'path')).filter(Boolean)).toEqual(['/run/kvt', '/dev/kvm']);
  });

  it('registers a webhook for every registry route, covering VMI, VM, VMIRS and preset CREATE and UPDATE', () => {
    const { components } = synth();
    const webhooks = [
      ...objs(find(components, 'MutatingWebhookConfiguration', 'kubevirt-ts-mutator')['webhooks']),
      ...objs(find(components, 'ValidatingWebhookConfiguration', 'kubevirt-ts-validator')['webhooks']),
    ];
    expect(webhooks.map((w) => at(w, 'clientConfig', 'service', 'path')).sort()).toEqual(WEBHOOK_ROUTES.map((r) => r.path).sort());
    const covered = new Set(webhooks.flatMap((w) => objs(w['rules']).flatMap((r) => (r['operations'] as string[]).map((op) => `${String(at(r, 'resources', 0))} ${op}`))));
    for (const plural of ['virtualmachineinstances', 'virtualmachines', 'virtualmachineinstancereplicasets', 'virtualmachineinstancepresets']) {
      expect(covered).toContain(`${plural} CREATE`);
      expect(covered).toContain(`${plural} UPDATE`);
    }
    for (const w of webhooks) {
      expect(w).toMatchObject({ failurePolicy: 'Fail', sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'] });
      expect(at(w, 'namespaceSelector', 'matchExpressions')).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kubevirt'] }]);
      expect(at(w, 'clientConfig', 'service')).toMatchObject({ name: 'virt-api', namespace: 'kubevirt', port: 443 });
    }
  });

  it('gives the webhooks the CA that signed the serving certificate in the Secret', () => {
    const install = new KubevirtInstall(Testing.app({ outdir: NO_OUTDIR }), 'kv');
    const components = Testing.synth(install.components) as Obj[];
    const secret = find(components, 'Secret', 'virt-api-certs');
    const bundle = Buffer.from(String(at(find(components, 'ValidatingWebhookConfiguration', 'kubevirt-ts-validator'), 'webhooks', 0, 'clientConfig', 'caBundle')), 'base64').toString();
    const ca = new X509Certificate(bundle);
    const serving = new X509Certificate(String(at(secret, 'stringData', 'tls.crt')));
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.checkHost('virt-api.kubevirt.svc')).toBe('virt-api.kubevirt.svc');
    expect(new X509Certificate(pki.certPem).verify(ca.publicKey)).toBe(false);
  });

  it('registers virt-api as the aggregated API server of subresources.kubevirt.io, trusted with the webhooks\' CA', () => {
    const { components } = synth();
    const service = find(components, 'APIService', 'v1.subresources.kubevirt.io');
    expect(at(service, 'spec')).toMatchObject({ group: 'subresources.kubevirt.io', version: 'v1', service: { namespace: 'kubevirt', name: 'virt-api', port: 443 } });
    expect(Buffer.from(String(at(service, 'spec', 'caBundle')), 'base64').toString()).toBe(pki.caCertPem);
    const args = containers(components).find((c) => c['name'] === 'virt-api')?.['args'];
    expect(args).toEqual(expect.arrayContaining(['--subresource-api', '--handler-certs']));
    const roleRefs = components.filter((o) => String(o['kind']).endsWith('Binding')).map((o) => at(o, 'roleRef', 'name'));
    expect(roleRefs).toEqual(expect.arrayContaining(['system:auth-delegator', 'extension-apiserver-authentication-reader']));
    const edit = find(components, 'ClusterRole', 'kubevirt.io:edit');
    expect(at(edit, 'metadata', 'labels', 'rbac.authorization.k8s.io/aggregate-to-edit')).toBe('true');
    expect(objs(at(edit, 'rules')).flatMap((r) => objs(r['resources']))).toEqual(expect.arrayContaining(['virtualmachines/start', 'virtualmachineinstances/console', 'virtualmachineinstances/portforward', 'virtualmachines/portforward']));
  });

  it('issues virt-handler\'s serving certificate and virt-api\'s client certificate from one component CA, with the names each side checks', () => {
    const install = new KubevirtInstall(Testing.app({ outdir: NO_OUTDIR }), 'kv');
    const components = Testing.synth(install.components) as Obj[];
    const [handler, client] = ['virt-handler-certs', 'virt-api-handler-client-certs'].map((n) => at(find(components, 'Secret', n), 'stringData') as Record<string, string>);
    expect(handler?.['ca.crt']).toBe(client?.['ca.crt']);
    const ca = new X509Certificate(handler?.['ca.crt'] ?? '');
    const server = new X509Certificate(handler?.['tls.crt'] ?? '');
    const user = new X509Certificate(client?.['tls.crt'] ?? '');
    expect([server.checkIssued(ca), user.checkIssued(ca), server.verify(ca.publicKey), user.verify(ca.publicKey)]).toEqual([true, true, true, true]);
    expect([server.subject, user.subject]).toEqual(['CN=kubevirt.io:system:node:virt-handler', 'CN=kubevirt.io:system:client:virt-api']);
    expect([server.keyUsage, user.keyUsage]).toEqual([['1.3.6.1.5.5.7.3.1'], ['1.3.6.1.5.5.7.3.2']]);
    // Not the webhook CA: a certificate of one trust domain is no good in the other.
    expect(new X509Certificate(String(at(find(components, 'Secret', 'virt-api-certs'), 'stringData', 'tls.crt'))).checkIssued(ca)).toBe(false);
  });

  it('with cert-manager emits an Issuer and Certificate and asks for CA injection instead of a caBundle', () => {
    const install = new KubevirtInstall(Testing.app({ outdir: NO_OUTDIR }), 'kv', { certificates: 'cert-manager' });
    const components = Testing.synth(install.components) as Obj[];
    // Only the component certificates are synth's: cert-manager issues virt-api's serving certificate.
    expect(components.filter((o) => o['kind'] === 'Secret').map((o) => at(o, 'metadata', 'name'))).toEqual(['virt-handler-certs', 'virt-api-handler-client-certs']);
    expect(at(find(components, 'APIService', 'v1.subresources.kubevirt.io'), 'metadata', 'annotations')).toEqual({ 'cert-manager.io/inject-ca-from': 'kubevirt/virt-api-certs' });
    expect(at(find(components, 'Certificate', 'virt-api-certs'), 'spec')).toMatchObject({ secretName: 'virt-api-certs', issuerRef: { name: 'virt-api-selfsigned', kind: 'Issuer' } });
    const mutating = find(components, 'MutatingWebhookConfiguration', 'kubevirt-ts-mutator');
    expect(at(mutating, 'metadata', 'annotations')).toEqual({ 'cert-manager.io/inject-ca-from': 'kubevirt/virt-api-certs' });
    expect(at(mutating, 'webhooks', 0, 'clientConfig', 'caBundle')).toBeUndefined();
  });

  it('grants no RBAC wildcard', () => {
    const rules = synth().components.filter((o) => o['kind'] === 'ClusterRole' || o['kind'] === 'Role').flatMap((o) => objs(o['rules']));
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) for (const key of ['apiGroups', 'resources', 'verbs']) expect(r[key]).not.toContain('*');
  });

  it('gives every container requests, limits, IfNotPresent, an explicit securityContext and the image of the props', () => {
    const all = containers(synth({ image: 'registry.example/kvt:1' }).components);
    expect(all.map((c) => c['name'])).toEqual(['virt-api', 'virt-controller', 'virt-handler']);
    for (const c of all) {
      expect(Object.keys(at(c, 'resources', 'requests') as Obj).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(at(c, 'resources', 'limits') as Obj).sort()).toEqual(['cpu', 'memory']);
      expect(c['imagePullPolicy']).toBe('IfNotPresent');
      expect(c['image']).toBe('registry.example/kvt:1');
      expect(c['securityContext']).toBeDefined();
    }
    const controller = all.find((c) => c['name'] === 'virt-controller')!;
    expect(controller['args']).toEqual(['virt-controller', '--namespace', 'kubevirt', '--leader-elect=true', '--launcher-image', 'registry.example/kvt:1', '--image-volumes=true']);
    // The install's arguments are the ones kvt's own parser takes (a bare --leader-elect was refused).
    expect(parseVirtControllerArgs((controller['args'] as string[]).slice(1))).toMatchObject({ leaderElect: true, imageVolumes: true });
  });

  it('validates every built-in object against the Kubernetes OpenAPI schemas', async () => {
    const { crds, components } = synth();
    const builtIn = [...crds, ...components.filter((o) => !String(o['apiVersion']).startsWith('cert-manager.io/'))];
    const problems = (await Promise.all(builtIn.map((o) => openApiProblem(o)))).filter((p) => p !== undefined);
    expect(problems).toEqual([]);
    // The checker itself catches a broken object.
    const broken = { ...find(components, 'Deployment', 'virt-api'), spec: { replicas: 'two' } };
    expect(await openApiProblem(broken)).toMatch(/replicas|selector|template/);
  });
});

describe('resolveInstallProps', () => {
  it.each<[KubevirtInstallProps, RegExp]>([
    [{ namespace: 'Kube_Virt' }, /namespace must be a DNS-1123 label, not "Kube_Virt"/],
    [{ apiReplicas: 0 }, /apiReplicas must be an integer from 1 to 10, not 0/],
    [{ webhookTimeoutSeconds: 31 }, /webhookTimeoutSeconds must be an integer from 1 to 30, not 31/],
    [{ webhookPort: 80 }, /webhookPort must be an integer from 1024 to 65535, not 80/],
    [{ image: 'a b' }, /image must be a non-empty image reference without spaces, not "a b"/],
    [{ runRoot: 'run/kvt' }, /runRoot must be an absolute path without "..", not "run\/kvt"/],
    [{ certificates: 'vault' as 'synth' }, /certificates must be "synth" or "cert-manager", not "vault"/],
  ])('refuses %j', (props, message) => {
    expect(() => resolveInstallProps(props)).toThrow(message);
  });

  it('fills in the documented defaults, the launcher image following the image', () => {
    expect(resolveInstallProps({ image: 'x/kvt:2', namespace: undefined })).toMatchObject({
      namespace: 'kubevirt', image: 'x/kvt:2', launcherImage: 'x/kvt:2', apiReplicas: 2, webhookPort: 8443, webhookTimeoutSeconds: 10, certificates: 'synth', runRoot: '/run/kvt',
    });
  });
});
