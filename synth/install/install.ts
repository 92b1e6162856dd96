/**
 * KubevirtInstall: everything a cluster needs to run kubevirt-ts, in two charts: "Crds" (the
 * cluster-scoped CustomResourceDefinitions, no namespace) and "Components" (namespace, the three
 * components with their RBAC, the serving certificate, the webhook configurations; every
 * namespaced object names its namespace itself, so the cluster-scoped ones get none).
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { KUBEVIRT_NAMESPACE } from '../../webhooks/validate/vmi-update-accounts.js';
import { PART_OF } from './common.js';
import { KubevirtCrds } from './crds.js';
import { generateComponentPki, generateServingPki, type ComponentPki, type ServingPki } from './pki.js';
import { VirtApi, VIRT_API, VIRT_API_CERT_SECRET, VIRT_API_HANDLER_CLIENT_SECRET } from './virt-api.js';
import { VirtController } from './virt-controller.js';
import { VirtHandler, VIRT_HANDLER_CERT_SECRET } from './virt-handler.js';
import { KubevirtWebhooks, type CaSource } from './webhooks.js';

/** Props of {@link KubevirtInstall}. */
export interface KubevirtInstallProps {
  /**
   * The namespace of the components (a DNS-1123 label).
   * @default "kubevirt"
   */
  readonly namespace?: string;
  /**
   * The component image (`kvt` + libvirt + QEMU, see the Dockerfile) of virt-api, virt-controller and virt-handler.
   * @default "ghcr.io/kubevirt-ts/kvt:0.1.0"
   */
  readonly image?: string;
  /**
   * The image of launcher pods.
   * @default the value of `image`
   */
  readonly launcherImage?: string;
  /**
   * virt-api replicas (at least 1; the PodDisruptionBudget keeps one available).
   * @default 2
   */
  readonly apiReplicas?: number;
  /**
   * virt-controller replicas (leader election keeps one active).
   * @default 2
   */
  readonly controllerReplicas?: number;
  /**
   * The container port of virt-api's webhook server (the Service listens on 443).
   * @default 8443
   */
  readonly webhookPort?: number;
  /**
   * How long the API server waits for one webhook call, 1 to 30 seconds.
   * @default 10
   */
  readonly webhookTimeoutSeconds?: number;
  /**
   * Where virt-api's serving certificate comes from: `synth` generates a CA and a serving
   * certificate into a Secret and puts the CA into the webhooks' `caBundle`; `cert-manager` emits a
   * self-signed Issuer and a Certificate and lets cert-manager's CA injector fill the `caBundle`.
   * @default "synth"
   */
  readonly certificates?: 'synth' | 'cert-manager';
  /**
   * Validity of the certificates generated at synth, in days (1 to 3650).
   * @default 365
   */
  readonly certificateValidityDays?: number;
  /**
   * Ready-made PEM material to use instead of generating it (tests, or a CA you keep);
   * only with `certificates: "synth"`.
   * @default generated at synth
   */
  readonly pki?: ServingPki;
  /**
   * Ready-made component certificates (virt-handler's REST endpoint, virt-api's client certificate
   * for it) instead of generating them; they are always synth's, whatever `certificates` says.
   * @default generated at synth
   */
  readonly componentPki?: ComponentPki;
  /**
   * The host directory virt-handler shares with launcher pods (an absolute path).
   * @default "/run/kvt"
   */
  readonly runRoot?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function fail(prop: string, value: unknown, rule: string): never {
  throw new Error(`KubevirtInstall: ${prop} must be ${rule}, not ${JSON.stringify(value)}`);
}

function intIn(prop: string, value: number, range: readonly [number, number]): void {
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) fail(prop, value, `an integer from ${range[0]} to ${range[1]}`);
}

function nonEmpty(prop: string, value: string): void {
  if (value.trim() === '' || /\s/.test(value)) fail(prop, value, 'a non-empty image reference without spaces');
}

/** The props with every default filled in, validated. */
export type ResolvedInstallProps = Required<Omit<KubevirtInstallProps, 'pki' | 'componentPki'>> & Pick<KubevirtInstallProps, 'pki' | 'componentPki'>;

const DEFAULTS = {
  namespace: KUBEVIRT_NAMESPACE,
  image: 'ghcr.io/kubevirt-ts/kvt:0.1.0',
  apiReplicas: 2,
  controllerReplicas: 2,
  webhookPort: 8443,
  webhookTimeoutSeconds: 10,
  certificates: 'synth',
  certificateValidityDays: 365,
  runRoot: '/run/kvt',
} as const;

function checkNames(p: ResolvedInstallProps): void {
  if (!DNS_LABEL.test(p.namespace)) fail('namespace', p.namespace, 'a DNS-1123 label');
  nonEmpty('image', p.image);
  nonEmpty('launcherImage', p.launcherImage);
  if (p.certificates !== 'synth' && p.certificates !== 'cert-manager') fail('certificates', p.certificates, '"synth" or "cert-manager"');
  if (p.pki !== undefined && p.certificates !== 'synth') fail('pki', '<PEM material>', 'left out when certificates is "cert-manager"');
  if (!p.runRoot.startsWith('/') || p.runRoot.includes('..')) fail('runRoot', p.runRoot, 'an absolute path without ".."');
}

function checkNumbers(p: ResolvedInstallProps): void {
  intIn('apiReplicas', p.apiReplicas, [1, 10]);
  intIn('controllerReplicas', p.controllerReplicas, [1, 10]);
  intIn('webhookPort', p.webhookPort, [1024, 65535]);
  intIn('webhookTimeoutSeconds', p.webhookTimeoutSeconds, [1, 30]);
  intIn('certificateValidityDays', p.certificateValidityDays, [1, 3650]);
}

/** Fills in the defaults and checks every prop; an error names the prop and its value. */
export function resolveInstallProps(props: KubevirtInstallProps): ResolvedInstallProps {
  const given = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as KubevirtInstallProps;
  const resolved: ResolvedInstallProps = { ...DEFAULTS, launcherImage: given.image ?? DEFAULTS.image, ...given };
  checkNames(resolved);
  checkNumbers(resolved);
  return resolved;
}

/** The DNS names the API server calls virt-api by. */
export function virtApiDnsNames(namespace: string): string[] {
  return [`${VIRT_API}.${namespace}.svc`, `${VIRT_API}.${namespace}.svc.cluster.local`, `${VIRT_API}.${namespace}`, VIRT_API];
}

/** The whole cluster install. */
export class KubevirtInstall extends Construct {
  /** The chart of the CustomResourceDefinitions (no namespace). */
  public readonly crds: Chart;
  /** The chart of everything else. */
  public readonly components: Chart;
  /** The resolved props. */
  public readonly settings: ResolvedInstallProps;

  public constructor(scope: Construct, id: string, props: KubevirtInstallProps = {}) {
    super(scope, id);
    const s = resolveInstallProps(props);
    this.settings = s;
    this.crds = new Chart(this, 'Crds');
    new KubevirtCrds(this.crds, 'Resource');
    this.components = new Chart(this, 'Components');
    this.components.addDependency(this.crds);
    const scope2 = this.components;
    new k8s.KubeNamespace(scope2, 'Namespace', { metadata: { name: s.namespace, labels: { ...PART_OF } } });
    const ca = this.servingCertificate(s);
    this.componentCertificates(s);
    new VirtApi(scope2, 'VirtApi', { namespace: s.namespace, image: s.image, replicas: s.apiReplicas, port: s.webhookPort, ca });
    new VirtController(scope2, 'VirtController', { namespace: s.namespace, image: s.image, launcherImage: s.launcherImage, replicas: s.controllerReplicas });
    new VirtHandler(scope2, 'VirtHandler', { namespace: s.namespace, image: s.image, runRoot: s.runRoot });
    new KubevirtWebhooks(scope2, 'Webhooks', { namespace: s.namespace, timeoutSeconds: s.webhookTimeoutSeconds, ca });
  }

  /** The Secrets of the virt-api → virt-handler mutual TLS: each side's certificate and the CA of the other's. */
  private componentCertificates(s: ResolvedInstallProps): void {
    const pki = s.componentPki ?? generateComponentPki(s.certificateValidityDays);
    const secret = (id: string, name: string, cert: string, key: string): void => {
      new k8s.KubeSecret(this.components, id, {
        metadata: { name, namespace: s.namespace, labels: { ...PART_OF } },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': cert, 'tls.key': key, 'ca.crt': pki.caCertPem },
      });
    };
    secret('HandlerCertificate', VIRT_HANDLER_CERT_SECRET, pki.handlerCertPem, pki.handlerKeyPem);
    secret('ApiClientCertificate', VIRT_API_HANDLER_CLIENT_SECRET, pki.apiClientCertPem, pki.apiClientKeyPem);
  }

  private servingCertificate(s: ResolvedInstallProps): CaSource {
    const metadata = { name: VIRT_API_CERT_SECRET, namespace: s.namespace, labels: { ...PART_OF } };
    if (s.certificates === 'cert-manager') {
      const issuer = `${VIRT_API}-selfsigned`;
      new ApiObject(this.components, 'Issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { ...metadata, name: issuer }, spec: { selfSigned: {} } });
      new ApiObject(this.components, 'Certificate', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata,
        spec: {
          secretName: VIRT_API_CERT_SECRET,
          dnsNames: virtApiDnsNames(s.namespace),
          duration: `${s.certificateValidityDays * 24}h`,
          issuerRef: { name: issuer, kind: 'Issuer' },
          privateKey: { algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' },
        },
      });
      return { kind: 'cert-manager', certificate: VIRT_API_CERT_SECRET };
    }
    const pki = s.pki ?? generateServingPki(virtApiDnsNames(s.namespace), s.certificateValidityDays);
    new k8s.KubeSecret(this.components, 'ServingCertificate', {
      metadata,
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': pki.certPem, 'tls.key': pki.keyPem, 'ca.crt': pki.caCertPem },
    });
    return { kind: 'bundle', caCertPem: pki.caCertPem };
  }
}
