/**
 * `kvt virt-api`: wires the admission webhook server — the logger, the serving certificate and
 * its watch, the admission lookups, the metrics — and runs it until asked to stop, then drains.
 */
import type { AddressInfo } from 'node:net';
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../core/cluster-config.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { WebhookRoute } from '../review-types.js';
import { NO_LOOKUPS_PROVIDER, watchObjectDirectory, type LookupsProvider } from './lookups.js';
import { createAdmissionMetrics } from './metrics.js';
import { createWebhookServer, type ServerLimits, type WebhookServer } from './server.js';
import { readServingCertificate, watchServingCertificate, type ServingCertificate } from './tls.js';
import { compileSchemas } from '../admission-schema.js';
import type { KubeApi } from '../../core/kube.js';
import { subresourceApi } from '../subresources/api.js';
import { createAggregatedApi, type AggregatedApi } from './aggregated-api.js';
import { watchFrontProxyConfig, type FrontProxyWatch } from './front-proxy-watch.js';
import { createHandlerClient } from './handler-client.js';

/** virt-api's aggregated API (`subresources.kubevirt.io`): how it reaches the cluster and the virt-handlers. */
export interface SubresourceApiOptions {
  /** The API as virt-api's service account. */
  readonly kube: KubeApi;
  /** Where the handler client certificate is (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly handlerCertDir: string;
  /** The namespace and label selector of the virt-handler pods. */
  readonly handlerNamespace: string;
  readonly handlerSelector: string;
}

/** How `kvt virt-api` runs. */
export interface VirtApiOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** @default "0.0.0.0" */
  readonly address?: string;
  /** @default 8443 (KubeVirt's virt-api port) */
  readonly port?: number;
  /** A directory of manifests (presets, instancetypes, preferences, PVC/DataVolume labels); none means no lookups. */
  readonly objectsDir?: string;
  /** Lookups from elsewhere (a cluster's informers, wired by the command); wins over `objectsDir`. */
  readonly lookupsProvider?: LookupsProvider;
  /** The webhooks to serve. */
  readonly routes: readonly WebhookRoute[];
  /** @default DEFAULT_CLUSTER_CONFIG */
  readonly cfg?: ClusterConfig;
  /** @default "info" */
  readonly logLevel?: string;
  /** @default a logger on standard error */
  readonly log?: Logger;
  /** Resolves when the server should stop (SIGTERM or SIGINT for the command). */
  readonly stopRequested: Promise<void>;
  /** Called once the server listens (tests learn the port). */
  readonly onListening?: (address: AddressInfo) => void;
  /** Periods of the fallback checks of the certificate and object files. @default 10000 */
  readonly pollMs?: number;
  readonly limits?: Partial<ServerLimits>;
  /** Serve the aggregated subresource API too. */
  readonly subresourceApi?: SubresourceApiOptions;
}

/** The aggregated API and the watch of the front-proxy settings it authenticates with. */
function aggregatedApi(at: SubresourceApiOptions, log: Logger, server: () => WebhookServer | undefined): { api: AggregatedApi; frontProxy: FrontProxyWatch } {
  const handlers = createHandlerClient({ kube: at.kube, namespace: at.handlerNamespace, selector: at.handlerSelector, certDir: at.handlerCertDir });
  const frontProxy = watchFrontProxyConfig({ kube: at.kube, log, onChange: (c) => server()?.useClientCa(c.clientCaPem) });
  const api = createAggregatedApi({
    kube: at.kube, log, frontProxy: frontProxy.current, openConsole: handlers.openConsole, openPortForward: handlers.openPortForward,
    subresources: subresourceApi({ kube: at.kube, handlerOf: handlers.endpointOf, log }),
  });
  return { api, frontProxy };
}

async function loadCertificate(options: VirtApiOptions, log: Logger): Promise<ServingCertificate | undefined> {
  try {
    const pair = await readServingCertificate({ certFile: options.certFile, keyFile: options.keyFile });
    log.info({ serial: pair.serial, validTo: pair.validTo, certFile: options.certFile }, 'Loaded serving certificate');
    return pair;
  } catch (err: unknown) {
    log.error({ err, certFile: options.certFile, keyFile: options.keyFile }, 'Could not load serving certificate');
    return undefined;
  }
}

function lookupsFor(options: VirtApiOptions, log: Logger): LookupsProvider {
  if (options.lookupsProvider !== undefined) return options.lookupsProvider;
  if (options.objectsDir === undefined) return NO_LOOKUPS_PROVIDER;
  return watchObjectDirectory(options.objectsDir, { log, ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) });
}

async function listen(webhook: WebhookServer, options: VirtApiOptions, log: Logger): Promise<AddressInfo | undefined> {
  const port = options.port ?? 8443;
  const address = options.address ?? '0.0.0.0';
  try {
    return await webhook.listen(port, address);
  } catch (err: unknown) {
    log.error({ err, address, port }, 'Could not start admission webhook server');
    return undefined;
  }
}

/** The entries of `values` that are defined (optional properties under exactOptionalPropertyTypes). */
function optional<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** Takes the front proxy's CA into use once first read (the aggregated API answers 503 until it is). */
async function useFrontProxy(webhook: WebhookServer, frontProxy: FrontProxyWatch | undefined): Promise<void> {
  await frontProxy?.firstRead;
  const config = frontProxy?.current();
  if (config !== undefined) webhook.useClientCa(config.clientCaPem);
}

/**
 * Runs the webhook server until `stopRequested` resolves, then stops accepting connections and
 * lets in-flight requests finish. Returns the exit code: 0 after a clean stop, 1 when it could not
 * start (the reason is logged).
 */
export async function runVirtApi(options: VirtApiOptions): Promise<number> {
  const log = options.log ?? createLogger({ name: 'virt-api', level: options.logLevel ?? 'info' });
  const certificate = await loadCertificate(options, log);
  if (certificate === undefined) return 1;
  const lookups = lookupsFor(options, log);
  compileSchemas();
  // The front-proxy watch hands its first CA to the server once it exists (no read completes before this function's first await).
  const aggregated = options.subresourceApi === undefined ? undefined : aggregatedApi(options.subresourceApi, log, () => webhook);
  const webhook = createWebhookServer({
    routes: options.routes,
    cfg: options.cfg ?? DEFAULT_CLUSTER_CONFIG,
    lookups,
    certificate,
    log,
    metrics: createAdmissionMetrics({ processMetrics: true }),
    ...optional({ limits: options.limits, aggregated: aggregated?.api }),
  });
  await useFrontProxy(webhook, aggregated?.frontProxy);
  const files = { certFile: options.certFile, keyFile: options.keyFile };
  const watcher = watchServingCertificate(files, { loaded: certificate, onLoaded: (p) => webhook.useCertificate(p), log, ...optional({ pollMs: options.pollMs }) });
  const stopWatching = (): void => {
    aggregated?.frontProxy.stop();
    watcher.close();
    lookups.close();
  };
  const address = await listen(webhook, options, log);
  if (address === undefined) {
    stopWatching();
    return 1;
  }
  log.info({ address: address.address, port: address.port, webhooks: options.routes.map((r) => r.path) }, 'Started admission webhook server');
  options.onListening?.(address);
  await options.stopRequested;
  log.info('Stopping admission webhook server; finishing requests in flight');
  stopWatching();
  await webhook.close();
  log.info('Stopped admission webhook server');
  return 0;
}
